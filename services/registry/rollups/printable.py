"""The village's five charts (五图, seed 003's 853 work: 村村5张图) as a printable document.

Pure: the figures come from ``service.village_charts``; this module only lays them out — horizontal
bar charts drawn as inline SVG (no script, no web font, nothing fetched), every label in Chinese,
an A4 page per chart when printed. A suppressed cell (an outside reader, fewer than k households)
is drawn as no bar and says why, never as a zero.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from services.registry.rollups.rules import Count, VillageCharts
from services.registry.vocabulary import CODE_LABELS, HouseholdStatus, PovertyCause
from shared.printable import bars, environment

__all__ = ["charts_document"]

_TEMPLATES = environment(Path(__file__).with_name("templates"))


def _persons(counts: dict[str, Count], labels: dict[str, str]) -> list[tuple[str, int | None]]:
    return [(labels.get(code, code), count.persons) for code, count in counts.items()]


def _households(counts: dict[str, Count], labels: dict[str, str]) -> dict[str, int | None]:
    return {labels.get(code, code): count.households for code, count in counts.items()}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _percent(bp: object) -> str:
    points = _int(bp)
    return "—" if points is None else f"{points / 100:.2f}%"


def _yes_no(value: object) -> str:
    return {True: "是", False: "否"}.get(value, "—") if isinstance(value, bool) else "—"


def _in_out(charts: VillageCharts) -> list[tuple[str, int | None]]:
    """Persons who entered and left the roll, year by year (进出动态)."""
    rows: list[tuple[str, int | None]] = []
    for year in sorted(charts.in_out):
        for kind, kind_zh in (("entries", "新识别"), ("exits", "脱贫退出")):
            count = charts.in_out[year].get(kind)
            rows.append((f"{year}年{kind_zh}", count.persons if count else 0))
    return rows


def charts_document(charts: VillageCharts, *, area_name: str, printed_on: date) -> str:
    """The five charts of one village as one HTML document (UTF-8), ready to print."""
    status_labels = {s.value: s.label for s in HouseholdStatus}
    cause_labels = {c.value: c.label for c in PovertyCause}
    target = charts.village_target
    poor, allowed = _int(target.get("poor_persons")), _int(target.get("max_poor_persons_to_exit"))
    return _TEMPLATES.get_template("five_charts.html.j2").render(
        area_name=area_name,
        charts=charts,
        printed_on=printed_on.isoformat(),
        distribution=bars(_persons(charts.distribution, status_labels)),
        distribution_households=_households(charts.distribution, status_labels),
        causes=bars(_persons(charts.causes, cause_labels)),
        causes_households=_households(charts.causes, cause_labels),
        in_out=bars(_in_out(charts)),
        target_rows=[
            ("建档立卡贫困人口（人）", poor),
            ("农村户籍人口（人）", _int(target.get("rural_population"))),
            ("贫困发生率", _percent(target.get("incidence_bp"))),
            ("退出标准：贫困发生率低于", _percent(target.get("threshold_bp"))),
            ("达到退出标准时最多贫困人口（人）", allowed),
            ("还需脱贫人口（人）", _int(target.get("persons_still_to_lift"))),
            ("是否达到贫困发生率退出标准", _yes_no(target.get("meets_exit_incidence"))),
        ],
        target_bars=bars([("现有贫困人口", poor), ("退出标准上限", allowed)]),
        households=[
            {
                "number": h.household_number or "—",
                "head": h.head_name_masked,
                "members": h.member_count,
                "status": status_labels.get(h.status, h.status),
                "plan_year": h.plan_year,
                "causes": "、".join(cause_labels.get(c, CODE_LABELS.get(c, c)) for c in h.poverty_causes),
            }
            for h in charts.household_targets
        ],
        suppressed=[cell.reason_zh for cell in charts.suppressed],
        min_cell=charts.min_cell_households,
    )
