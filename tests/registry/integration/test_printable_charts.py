"""The village's five charts as a printable document, rendered in a real headless Chromium and read
back: Chinese headings and labels, no code words, bars drawn in proportion to the figures, and an
outside reader's copy with small cells and the household list left out."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.registry.integration.helpers import (
    REGISTRAR,
    VILLAGE,
    load_areas,
    member,
    person_id,
    registered,
    registry_app,
)
from tests.support import auth, service_client
from tests.support.browser import chromium, headless_page

pytestmark = pytest.mark.asyncio
EVALUATOR = auth("evaluator", "440783000000")
BARS = """[...document.querySelectorAll('#chart-causes rect.bar')].map(r =>
    [r.dataset.value, Math.round(r.getBoundingClientRect().width)])"""


def family(n: int) -> list[dict[str, Any]]:
    return [member("head")] + [member("child", name=f"子{i}", resident_id=person_id()) for i in range(n - 1)]


async def _print(c: Any, headers: dict[str, str], tmp_path: Path, name: str) -> Path:
    r = await c.get(f"/registry/v1/rollups/{VILLAGE}/charts/print", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    path = tmp_path / name
    path.write_bytes(r.content)
    return path


async def test_the_five_charts_print_in_chinese_with_bars_in_proportion(make_db, tmp_path: Path) -> None:
    chromium()  # skip before any work on a machine without a browser
    app = registry_app(make_db("registry"))
    async with service_client(app) as c:
        await load_areas(c)
        # 6 households of 因病 with 3 people each (18 persons), 1 of 因残 with 2 (2 persons)
        for _ in range(6):
            await registered(c, members=family(3), poverty_causes=["illness"])
        await registered(c, members=family(2), poverty_causes=["因残"])
        inside = await _print(c, REGISTRAR, tmp_path, "inside.html")
        outside = await _print(c, EVALUATOR, tmp_path, "outside.html")

    async with headless_page(inside) as page:
        text = await page.evaluate("document.body.innerText")
        bars = await page.evaluate(BARS)
    for heading in (
        "贫困人口分布图", "致贫原因分析图", "贫困人口进出动态图", "全村脱贫目标任务图", "贫困户脱贫目标任务表"
    ):
        assert heading in text
    assert "因病" in text
    assert "因残" in text
    assert "已建档立卡" in text
    assert "王**" in text  # the head, masked, in the household table
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|\billness\b|\bregistered\b", text), "a code word on the page"
    # drawn, not just written: the browser laid the bars out at 360 px for 18 persons, 40 for 2
    assert sorted(bars) == [["18", 360], ["2", 40]]

    async with headless_page(outside) as page:
        text = await page.evaluate("document.body.innerText")
        bars = await page.evaluate(BARS)
    assert "户级名单不向外部提供" in text
    assert "王**" not in text
    assert "少于5户的数字不公布" in text
    assert ["", 0] in bars  # 因残: one household, below k — no bar, no figure
    assert "—（不公布）" in text
