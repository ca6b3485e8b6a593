"""Printable documents (a village's five charts, the monthly bulletin): HTML to print or save as
PDF from any browser, every word in Chinese, charts drawn as inline SVG bars (no script, no web
font, nothing fetched from outside — the offices' machines are often offline).

A service keeps its own templates beside its code and extends ``printable.html.j2`` (the page,
its print CSS and the ``chart`` macro) from here; ``bars`` lays the figures out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

__all__ = ["BAR_AREA_PX", "Bar", "bars", "environment", "html_response", "HTML_RESPONSES"]

BAR_AREA_PX = 360  # the longest bar; the others in proportion
_SHARED = Path(__file__).with_name("templates")
HTML_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"content": {"text/html": {}}, "description": "a printable HTML document (UTF-8)"}
}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: suppressed for this reader
    width: int  # px, 0 for a zero or a suppressed value


def bars(items: list[tuple[str, int | None]], area_px: int = BAR_AREA_PX) -> list[Bar]:
    """Bars in proportion to the largest value; a non-zero value is at least 1 px so it shows."""
    largest = max((v for _, v in items if v), default=0)
    out = []
    for label, value in items:
        width = 0 if not value or not largest else max(1, round(value * area_px / largest))
        out.append(Bar(label, value, width))
    return out


def environment(templates: Path) -> Environment:
    """Templates of one service (``templates``) over the shared page; HTML always escaped."""
    return Environment(
        loader=ChoiceLoader([FileSystemLoader(templates), FileSystemLoader(_SHARED)]),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html_response(document: str) -> HTMLResponse:
    return HTMLResponse(document)
