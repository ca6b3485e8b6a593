"""The gate's byte scan of a JSON body (shared.bodyguard._plainly_fine) against its full parse."""

from __future__ import annotations

import json
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from shared import bodyguard
from shared.bodyguard import _json_problem, _plainly_fine


def _parsed_problem(body: bytes) -> str | None:
    """The refusal the gate's full parse gives (its message), the byte scan bypassed."""
    with mock.patch.object(bodyguard, "_plainly_fine", return_value=False):
        problem = bodyguard._json_problem(body)
    return None if problem is None else str(problem.detail)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('a"\\[]{}\x00 0912中')),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=80,
)


@settings(max_examples=400, deadline=None)
@given(document=_JSON, depth=st.integers(0, 70), ascii_only=st.booleans(), cut=st.integers(0, 400))
def test_what_the_byte_scan_lets_through_the_parser_refuses_nothing_of(
    document: Any, depth: int, ascii_only: bool, cut: int
) -> None:
    """The gate reads a JSON body without parsing it first (``_plainly_fine``, a bulk import's
    megabytes); whatever it lets through, parsing and walking the document refuses nothing of
    (texts with brackets, quotes, backslashes and NULs, big integers, deep nesting, cut bodies)."""
    text = "[" * depth + json.dumps(document, ensure_ascii=ascii_only) + "]" * depth
    for body in (text.encode(), text.encode()[:cut]):
        if _plainly_fine(body):
            assert _parsed_problem(body) is None, body
        assert (_json_problem(body) is None) == (_parsed_problem(body) is None), body


def test_a_long_number_in_a_text_or_an_escaped_backslash_is_parsed_and_let_through() -> None:
    for body in (b'{"account": "62284800123456789012"}', b'{"memo": "\\\\u0000"}', b'["\\\\", "]"]'):
        assert _json_problem(body) is None, body
    assert not _plainly_fine(b'{"account": "62284800123456789012"}')  # parsed: a 19-digit run
    assert _plainly_fine(b'["\\\\", "]", "\\"[{"]')


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.sampled_from('[]{}[]{}",:0 a\\1'), max_size=80), depth=st.integers(0, 70))
def test_what_the_byte_scan_lets_through_of_malformed_bodies_the_parser_refuses_nothing_of(
    text: str, depth: int
) -> None:
    """Bodies that are mostly not JSON (brackets and braces that close each other's levels,
    quotes and backslashes anywhere), some nested deep: the byte scan lets none through that the
    parse would refuse."""
    for body in (text.encode(), ("[" * depth + text + "}" * depth).encode()):
        if _plainly_fine(body):
            assert _parsed_problem(body) is None, body
        assert (_json_problem(body) is None) == (_parsed_problem(body) is None), body


def test_braces_closing_brackets_are_let_through_as_malformed_and_depth_still_counts() -> None:
    """A body whose braces close brackets is no JSON (FastAPI says so, the gate lets it through);
    nested beyond the limit a body is refused as too deep, however its texts hold brackets."""
    assert _json_problem(b'{"a": [1}]') is None
    for deep in (b"[" * 65 + b"]" * 65, b"[" * 64 + b'["]", "["]' + b"]" * 64):
        problem = _json_problem(deep)
        assert problem is not None, deep
        assert "nested more than 64 levels" in str(problem.detail)
    assert _plainly_fine(b'{"households": [{"members": [{"name": "a"}], "poverty_causes": []}]}')
