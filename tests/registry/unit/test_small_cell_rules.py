"""Small-cell suppression: a cell under k households is hidden, and never recoverable by subtraction
from a published total of its group."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.registry.rollups.rules import PRIMARY, SECONDARY, CellGroup, suppress_small_cells

K = 5


def _table(rows: list[list[int]]) -> tuple[dict[tuple[str, ...], int], list[CellGroup]]:
    """A two-way table (villages × causes) with row totals, column totals and a grand total."""
    counts: dict[tuple[str, ...], int] = {}
    groups: list[CellGroup] = []
    width = len(rows[0])
    for r, row in enumerate(rows):
        for c, n in enumerate(row):
            counts[(f"v{r}", f"c{c}")] = n
        counts[(f"v{r}", "total")] = sum(row)
        groups.append(CellGroup(tuple((f"v{r}", f"c{c}") for c in range(width)), (f"v{r}", "total")))
    for c in range(width):
        counts[("all", f"c{c}")] = sum(row[c] for row in rows)
        groups.append(CellGroup(tuple((f"v{r}", f"c{c}") for r in range(len(rows))), ("all", f"c{c}")))
    counts[("all", "total")] = sum(map(sum, rows))
    groups.append(CellGroup(tuple((f"v{r}", "total") for r in range(len(rows))), ("all", "total")))
    return counts, groups


def test_a_cell_of_three_households_is_hidden_with_the_next_smallest_of_its_row() -> None:
    counts = {("illness",): 3, ("disability",): 9, ("schooling",): 7, ("total",): 19}
    group = CellGroup((("illness",), ("disability",), ("schooling",)), ("total",))
    assert suppress_small_cells(counts, [group], K) == {("illness",): PRIMARY, ("schooling",): SECONDARY}


def test_zero_and_k_are_published_and_a_lone_small_cell_in_zeros_hides_a_zero() -> None:
    counts = {("a",): 0, ("b",): 5, ("c",): 0}
    assert suppress_small_cells(counts, [CellGroup((("a",), ("b",), ("c",)))], K) == {}
    counts = {("a",): 4, ("b",): 0}  # the sum (4) is known from elsewhere
    group = CellGroup((("a",), ("b",)))
    assert suppress_small_cells(counts, [group], K) == {("a",): PRIMARY, ("b",): SECONDARY}
    counts = {("a",): 4, ("b",): 0, ("total",): 4}  # a published total under k is hidden itself
    group = CellGroup((("a",), ("b",)), ("total",))
    assert suppress_small_cells(counts, [group], K) == {("a",): PRIMARY, ("total",): PRIMARY}


def test_a_group_of_one_small_cell_hides_its_total_too() -> None:
    counts = {("only",): 2, ("total",): 2}
    assert suppress_small_cells(counts, [CellGroup((("only",),), ("total",))], K) == {
        ("only",): PRIMARY,
        ("total",): PRIMARY,
    }
    counts = {("only",): 2, ("total",): 12}  # an inconsistent input still never shows the lone cell
    assert suppress_small_cells(counts, [CellGroup((("only",),), ("total",))], K) == {
        ("only",): PRIMARY,
        ("total",): SECONDARY,
    }


def test_hiding_in_a_row_carries_over_to_the_columns() -> None:
    # village 0 has 3 households with illness; its row hides the next smallest (disability 6),
    # and each of those two columns then needs a second hidden cell from village 1
    counts, groups = _table([[3, 6, 20], [8, 7, 30]])
    hidden = suppress_small_cells(counts, groups, K)
    assert hidden[("v0", "c0")] == PRIMARY
    assert hidden[("v0", "c1")] == SECONDARY
    assert hidden[("v1", "c0")] == SECONDARY
    assert hidden[("v1", "c1")] == SECONDARY
    assert ("v0", "total") not in hidden
    assert ("all", "total") not in hidden


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=5), min_size=1, max_size=5
    ).filter(lambda rows: len({len(r) for r in rows}) == 1),
    st.integers(min_value=1, max_value=6),
)
def test_no_hidden_cell_is_the_difference_of_published_figures(rows: list[list[int]], k: int) -> None:
    counts, groups = _table(rows)
    hidden = suppress_small_cells(counts, groups, k)
    for path, n in counts.items():
        if 0 < n < k:
            assert hidden.get(path) == PRIMARY
    for group in groups:
        if group.total is not None and group.total in hidden:
            continue
        # the total is published: subtracting the published members leaves 0 or ≥2 unknowns
        assert sum(1 for m in group.members if m in hidden) != 1
