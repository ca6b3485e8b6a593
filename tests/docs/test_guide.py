"""The clerk's guide (docs/guide/*.md) is run as written: every curl example against the in-process
apps on a real PostgreSQL and nats-server, in page order, each answer checked against the abridged
answer printed under it.

How a page is read (docs/guide/README.md says the same for its writers):

* a ```bash block of lines ``NAME=$(.venv/bin/jingzhun token --role R --area A [--sub S])`` defines
  the tokens ``$NAME`` used by later examples (``{var}`` in ``--sub`` is filled in at use);
* a ```bash block with a ``curl`` command is one example; a ``# 日期: 第N天`` line in it stands the
  platform clock at 10:00 of day N of the story (第1天 = 2026-03-02) for that request and the
  following ones;
* the ```json block right after it, whose info string is ``json 应答 <status>``, is the answer: its
  status is asserted, and its JSON (possibly abridged) must be contained in the real answer —
  objects by the keys written, lists element by element in any order (a last ``"…"`` allows more),
  ``"…"`` matches any value, and ``"{var}"`` binds ``var`` from the answer the first time it
  appears and must equal it afterwards; ``{var}`` in a URL, a body or a ``--sub`` is substituted.
* ``GUIDE_DUMP=1 pytest -s tests/docs/test_guide.py`` prints every full answer (to write a page).
* the three services run with their relays and consumers on a real nats-server, as in production;
  before every request the test waits until no event is in flight (``Settle``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import nats
import pytest
from nats.js import JetStreamContext
from sqlalchemy import func, select

from services.inspection.app import create_app as inspection_app
from services.inspection.settings import InspectionSettings
from services.pairing.app import create_app as pairing_app
from services.pairing.settings import PairingSettings
from services.registry.areas.reference import reference_areas
from shared.events.streams import STREAMS
from shared.tables import outbox
from tests.registry.integration.helpers import on_day, registry_app
from tests.support import auth, service_client, settings_for, wait_for

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guide"
PAGES = [
    "01-登记贫困户.md",
    "02-识别.md",
    "03-结对帮扶.md",
    "04-脱贫退出.md",
    "05-返贫.md",
    "06-问题整改.md",
    "07-导入花名册.md",
    "08-导入结对帮扶名单.md",
]
DAY_ONE = date(2026, 3, 2)
PORTS = {"8001": "registry", "8003": "pairing", "8004": "inspection"}
ANY = "…"
CODE = re.compile(r"(?<![0-9])44[0-9]{10}(?![0-9])")  # a Guangdong area code in a page or a file
DEMO_AREAS = [a.model_dump(mode="json") for a in reference_areas() if a.code.startswith("44")]

FENCE = re.compile(r"^```(\w*)[ \t]*(.*?)\n(.*?)^```[ \t]*$", re.M | re.S)
TOKEN_LINE = re.compile(r"^([A-Z_][A-Z0-9_]*)=\$\((?:\S*/)?jingzhun token (.+)\)\s*$")
DAY_LINE = re.compile(r"#\s*日期:\s*第(\d+)天")
VAR = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
WHOLE_VAR = re.compile(r"^\{([a-z_][a-z0-9_]*)\}$")


@dataclass
class Example:
    page: str
    title: str
    day: int | None
    method: str
    url: str
    headers: dict[str, str]
    body: str | None
    body_file: str | None = None  # --data-binary @path: a file of the repository, sent as it is
    status: int = 0
    expected: Any = None


@dataclass
class Page:
    name: str
    tokens: dict[str, list[str]] = field(default_factory=dict)
    steps: list[Example] = field(default_factory=list)


def _curl(page: str, text: str) -> Example:
    title = next((ln.lstrip("# ").strip() for ln in text.splitlines() if ln.startswith("#")), "")
    day = DAY_LINE.search(text)
    command = text[text.index("curl ") :].replace("\\\n", " ")
    words = shlex.split(command)
    method, headers, body, url = "GET", {}, None, ""
    body_file = None
    i = 1
    while i < len(words):
        w = words[i]
        if w in ("-X", "--request"):
            method, i = words[i + 1], i + 2
        elif w in ("-H", "--header"):
            k, _, v = words[i + 1].partition(":")
            headers[k.strip()] = v.strip()
            i += 2
        elif w in ("-d", "--data", "--data-raw"):
            body, i = words[i + 1], i + 2
            method = "POST" if method == "GET" else method
        elif w == "--data-binary" and words[i + 1].startswith("@"):
            body_file, i = words[i + 1][1:], i + 2
            method = "POST" if method == "GET" else method
        elif w in ("-o", "--output"):
            i += 2
        elif w.startswith("-"):
            i += 1
        else:
            url, i = w, i + 1
    return Example(page, title, int(day.group(1)) if day else None, method, url, headers, body, body_file)


def parse(name: str) -> Page:
    text = (GUIDE / name).read_text(encoding="utf-8")
    page = Page(name)
    last: Example | None = None
    for m in FENCE.finditer(text):
        lang, info, content = m.group(1), m.group(2), m.group(3)
        if lang == "bash":
            for ln in content.splitlines():
                tm = TOKEN_LINE.match(ln.strip())
                if tm:
                    page.tokens[tm.group(1)] = shlex.split(tm.group(2))
            if "curl " in content:
                last = _curl(name, content)
                page.steps.append(last)
        elif lang == "json" and info.startswith("应答"):
            assert last is not None, f"{name}: an answer before any request"
            assert not last.status, f"{name}: two answers for «{last.title}»"
            last.status = int(info.split()[1])
            last.expected = json.loads(content) if content.strip() else None
    for step in page.steps:
        assert step.status, f"{name}: example {step.title!r} has no 应答 block"
    return page


def fill(text: str, env: dict[str, Any]) -> str:
    return VAR.sub(lambda m: str(env[m.group(1)]), text)


def token_headers(words: list[str], env: dict[str, Any]) -> dict[str, str]:
    roles, area, sub, name = [], "", "guide-user", None
    for i, w in enumerate(words):
        if w in ("--role", "-r"):
            roles.append(words[i + 1])
        elif w == "--area":
            area = words[i + 1]
        elif w == "--sub":
            sub = fill(words[i + 1], env)
        elif w == "--name":
            name = words[i + 1]
    return auth(roles, area, sub=sub, name=name)


def match(expected: Any, actual: Any, env: dict[str, Any], where: str) -> None:
    if expected == ANY:
        return
    if isinstance(expected, str) and (m := WHOLE_VAR.match(expected)):
        var = m.group(1)
        if var in env:
            assert str(actual) == str(env[var]), f"{where}: {actual!r} is not {{{var}}} = {env[var]!r}"
        else:
            env[var] = actual
        return
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for k, v in expected.items():
            assert k in actual, f"{where}: no {k!r} in {actual!r}"
            match(v, actual[k], env, f"{where}.{k}")
        return
    if isinstance(expected, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        more = bool(expected) and expected[-1] == ANY
        items = expected[:-1] if more else expected
        if more:
            assert len(actual) >= len(items), f"{where}: {len(actual)} items, expected {len(items)}+"
        else:
            assert len(actual) == len(items), f"{where}: {len(actual)} items, expected {len(items)}"
        left = list(actual)
        for i, e in enumerate(items):  # in any order: each written element matches one in the answer
            for a in left:
                trial = dict(env)
                try:
                    match(e, a, trial, f"{where}[{i}]")
                except AssertionError:
                    continue
                env.update(trial)
                left.remove(a)
                break
            else:
                raise AssertionError(f"{where}[{i}]: nothing in {actual!r} matches {e!r}")
        return
    if isinstance(expected, str):
        expected = fill(expected, env)
        if ANY in expected:  # "…" inside a string: the parts around it, in order
            pattern = ".*".join(re.escape(p) for p in expected.split(ANY))
            assert re.fullmatch(pattern, str(actual), re.S), f"{where}: {actual!r} !~ {expected!r}"
            return
    assert actual == expected, f"{where}: {actual!r} != {expected!r}"


class Settle:
    """Wait until the services have nothing in flight on the real nats-server: every outbox row
    published by the relays, and every durable consumer with nothing pending or unacknowledged —
    seen so twice in a row, since an event handled may write events of its own."""

    def __init__(self, apps: dict[str, Any], js: JetStreamContext) -> None:
        self.apps = apps
        self.js = js

    async def _consumers_idle(self) -> bool:
        for stream in STREAMS:
            for info in await self.js.consumers_info(stream):
                if info.num_pending or info.num_ack_pending:
                    return False
        return True

    async def _outboxes_empty(self) -> bool:
        for app in self.apps.values():
            async with app.state.db.transaction() as s:
                unsent = await s.scalar(
                    select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
                )
            if unsent:
                return False
        return True

    async def _quiet(self) -> bool:
        return await self._consumers_idle() and await self._outboxes_empty() and await self._consumers_idle()

    async def __call__(self) -> None:
        await wait_for(self._quiet, timeout_s=30, interval_s=0.05, what="the services' events to settle")
        await wait_for(self._quiet, timeout_s=30, interval_s=0.05, what="the services' events to settle")


def test_the_guide_names_the_places_of_the_demo() -> None:
    """A clerk follows the guide against `make run`: every area code the pages and their files use is
    a place the demo loads, and 步栏村 is the demo's 步栏村."""
    demo = {a["code"]: a["name"] for a in DEMO_AREAS}
    files = [*(GUIDE / name for name in PAGES), *(GUIDE / "files").iterdir()]
    for path in files:
        raw = path.read_bytes()
        text = raw.decode("gbk") if b"\xef\xbb\xbf" not in raw[:3] and path.suffix == ".csv" else raw.decode()
        for code in set(CODE.findall(text)):
            assert code in demo, f"{path.name}: {code} is not a place of the demo"
    assert "440783105201" in (GUIDE / "01-登记贫困户.md").read_text(encoding="utf-8")
    assert demo["440783105201"] == "步栏村"


def test_every_page_is_indexed_and_every_example_has_its_answer() -> None:
    index = (GUIDE / "README.md").read_text(encoding="utf-8")
    for name in PAGES:
        assert f"({name})" in index, f"README.md does not link {name}"
        page = parse(name)
        assert page.steps, f"{name} has no examples"
    on_disk = {p.name for p in GUIDE.glob("*.md")} - {"README.md"}
    assert on_disk == set(PAGES), "a page on disk that the test does not run (or the reverse)"
    assert "docs/guide/README.md" in (GUIDE.parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.asyncio
async def test_the_guide_runs_as_written(make_db: Any, nats_url: str) -> None:
    apps = {
        "registry": registry_app(make_db("registry"), nats_url),
        "pairing": pairing_app(settings_for(PairingSettings, make_db("pairing"), nats_url)),
        "inspection": inspection_app(settings_for(InspectionSettings, make_db("inspection"), nats_url)),
    }
    nc = await nats.connect(nats_url)
    try:
        await _run_the_guide(apps, Settle(apps, nc.jetstream()))
    finally:
        await nc.close()


async def _run_the_guide(apps: dict[str, Any], settle: Settle) -> None:
    env: dict[str, Any] = {}
    day = 1
    async with (
        service_client(apps["registry"]) as registry,
        service_client(apps["pairing"]) as pairing,
        service_client(apps["inspection"]) as inspection,
    ):
        clients = {"registry": registry, "pairing": pairing, "inspection": inspection}
        with on_day(DAY_ONE):  # the demo's places (`make run` loads the same tree)
            r = await registry.post(
                "/registry/v1/areas", json={"areas": DEMO_AREAS}, headers=auth("registrar", "440000000000")
            )
            assert r.status_code == 200, r.text
        for name in PAGES:
            page = parse(name)
            for step in page.steps:
                day = step.day or day
                where = f"{name} «{step.title}»"
                port, _, path = step.url.split("://", 1)[1].partition("/")
                client = clients[PORTS[port.rsplit(":", 1)[1]]]
                headers = {}
                for k, v in step.headers.items():
                    if v.startswith("Bearer $"):
                        headers |= token_headers(page.tokens[v.removeprefix("Bearer $")], env)
                    else:
                        headers[k] = fill(v, env)
                content = fill(step.body, env).encode() if step.body is not None else None
                if step.body_file is not None:
                    content = (GUIDE.parents[1] / step.body_file).read_bytes()
                await settle()
                with on_day(DAY_ONE + timedelta(days=day - 1)):
                    r = await client.request(
                        step.method, "/" + fill(path, env), content=content, headers=headers
                    )
                if os.environ.get("GUIDE_DUMP"):  # for writers: the full answers, to abridge
                    print(f"\n### {where}\n{r.status_code} {r.text}")
                assert r.status_code == step.status, f"{where}: {r.status_code} {r.text}"
                if step.expected is not None:
                    match(step.expected, r.json(), env, where)
