"""Money, counts, years and codes are taken as sent: no bool, no numeric string, no float, no ４.

The fields come from every request body model of the four services (their routers), so a field
added tomorrow is covered too: every integer anywhere in a body (nested models, lists, dict values)
and every code with an ASCII-digit pattern.
"""

from __future__ import annotations

import importlib
import re
import types
import typing
import uuid
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from tests.support import auth, service_client, settings_for

SERVICES = ("registry", "funds", "pairing", "inspection")


class Step(typing.NamedTuple):
    """A field of a model in a body path, with the union tags its model needs alongside."""

    name: str
    tags: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.name


Path = tuple[Step | int | str, ...]


def _routes(service: str) -> list[tuple[str, APIRoute]]:
    module = importlib.import_module(f"services.{service}.app")
    return [
        (f"/{service}/v1", route)
        for router in module.ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.body_field is not None
    ]


def _targets(tp: Any, path: Path, seen: frozenset[type] = frozenset()) -> Iterator[tuple[Path, str]]:
    """(path in the body, "int" | "code") for every strict field reachable from type ``tp``."""
    origin = typing.get_origin(tp)
    if origin is Annotated:
        yield from _targets(typing.get_args(tp)[0], path, seen)
    elif tp is int:
        yield path, "int"
    elif tp is bool:
        yield path, "flag"
    elif isinstance(tp, type) and issubclass(tp, BaseModel) and tp not in seen:
        # A member of a tagged union is reached through its tag ("kind": "per_capita").
        tags = {
            n: f.default
            for n, f in tp.model_fields.items()
            if typing.get_origin(f.annotation) is typing.Literal and isinstance(f.default, str)
        }
        for name, field in tp.model_fields.items():
            step = Step(name, tuple(tags.items()))
            patterns = [getattr(m, "pattern", None) for m in field.metadata]
            if any(p and "[0-9]" in p for p in patterns):
                yield (*path, step), "code"
            else:
                yield from _targets(field.annotation, (*path, step), seen | {tp})
    elif origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        unwrapped = [typing.get_args(a)[0] if typing.get_origin(a) is Annotated else a for a in args]
        if bool in unwrapped and int in unwrapped:
            # a declared fact that is a flag or an amount (true, or fen): a bool is a right answer
            yield path, "int_or_flag"
            return
        for arg in args:
            yield from _targets(arg, path, seen)
    elif origin is list:
        yield from _targets(typing.get_args(tp)[0], (*path, 0), seen)
    elif origin is dict:
        yield from _targets(typing.get_args(tp)[1], (*path, "2024"), seen)


def _body_model(route: APIRoute) -> Any:
    assert route.body_field is not None
    return route.body_field.field_info.annotation


TARGETS: list[tuple[str, str, APIRoute, type[BaseModel], Path, str]] = []
for _service in SERVICES:
    for _prefix, _route in _routes(_service):
        _model = _body_model(_route)
        for _path, _kind in _targets(_model, ()):
            TARGETS.append((_service, _prefix, _route, _model, _path, _kind))


def _nest(path: Path, value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        return [_nest(rest, value)]
    tags = dict(head.tags) if isinstance(head, Step) else {}
    return tags | {str(head): _nest(rest, value)}


def _names(path: Path) -> list[str]:
    return [str(p) for p in path]


def _at(loc: tuple[Any, ...], path: Path) -> bool:
    """The error is about this field: its location runs through the path (union tags may sit between)."""
    want = iter(_names(path))
    wanted = next(want)
    for part in map(str, loc):
        if part == wanted:
            wanted = next(want, None)  # type: ignore[arg-type]
            if wanted is None:
                return True
    return False


# What lax pydantic takes as a bool: "yes", "true", "1", "on", 1, 0. A flag is JSON true or false.
NOT_A_FLAG = st.one_of(
    st.sampled_from(["yes", "no", "true", "false", "1", "0", "on", "off", "是"]),
    st.integers(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
)
NOT_AN_INT = st.one_of(
    st.booleans(),
    st.integers(min_value=0, max_value=10**12).map(str),  # "100"
    st.integers(min_value=0, max_value=10**6).map(float),  # 100.0
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda f: f != int(f)),
)
# Unicode decimal digits that are not ASCII: full-width, Arabic-Indic, Devanagari.
_OTHER_DIGITS = ["０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "०१२३४५६७८९"]
NOT_ASCII_CODE = st.tuples(st.sampled_from(_OTHER_DIGITS), st.integers(0, 11)).flatmap(
    lambda t: st.lists(st.sampled_from("0123456789"), min_size=12, max_size=12).map(
        lambda ds, t=t: "".join(t[0][int(d)] if i == t[1] or i % 3 == 0 else d for i, d in enumerate(ds))
    )
)


def test_the_sweep_finds_the_fields_the_attack_used() -> None:
    found = {(route.path, ".".join(_names(path))) for _, _, route, _, path, _ in TARGETS}
    assert ("/transfers", "amount_fen") in {(r.removeprefix("/ledger"), f) for r, f in found}
    assert ("/disbursements", "amount_fen") in found
    assert ("", "area_code") in {(r.removeprefix("/households"), f) for r, f in found}
    assert len(TARGETS) >= 70


def _refused_at(model: type[BaseModel], path: Path, value: Any) -> bool:
    try:
        model.model_validate(_nest(path, value))
    except ValidationError as exc:
        return any(_at(tuple(err["loc"]), path) for err in exc.errors())
    return False


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_integer_and_code_of_every_request_body_is_strict(data: st.DataObject) -> None:
    service, _, route, model, path, kind = data.draw(st.sampled_from(TARGETS))
    if kind == "int_or_flag":
        value = data.draw(NOT_AN_INT.filter(lambda v: not isinstance(v, bool)))
    else:
        value = data.draw({"int": NOT_AN_INT, "flag": NOT_A_FLAG}.get(kind, NOT_ASCII_CODE))
    assert _refused_at(model, path, value), (
        f"{service} {route.path}: {'.'.join(_names(path))}={value!r} taken"
    )


def test_the_right_types_are_still_taken() -> None:
    """The other side: a JSON integer is an integer, true is a flag and a 12-digit ASCII code is a code."""
    type_errors = {"int_type", "int_parsing", "int_from_float", "string_type", "string_pattern_mismatch"}
    type_errors |= {"bool_type", "bool_parsing"}
    for _, _, route, model, path, kind in TARGETS:
        # a village: the narrowest code pattern
        good = {"code": "440783101201", "flag": True}.get(kind, 2024)
        try:
            model.model_validate(_nest(path, good))
        except ValidationError as exc:
            at_path = [e["type"] for e in exc.errors() if _at(tuple(e["loc"]), path)]
            assert not type_errors & set(at_path), (route.path, path, at_path)


def _url(prefix: str, route: APIRoute) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1)
        if "area" in name or name.endswith("code") and "scheme" not in name:
            return "440783000000"
        if name in ("year",):
            return "2024"
        if name == "quarter":
            return "1"
        return str(uuid.uuid4())

    return prefix + re.sub(r"\{(\w+)(?::\w+)?\}", value, route.path)


@pytest.mark.asyncio
@pytest.mark.parametrize("service", SERVICES)
async def test_wrong_types_are_422_problems_at_the_api(make_db, service: str) -> None:  # type: ignore[no-untyped-def]
    module = importlib.import_module(f"services.{service}.app")
    app = module.create_app(settings_for(module.settings_class, make_db(service)))
    admin = auth(["admin", "evaluator"], "440000000000")
    wrong: list[str] = []
    async with service_client(app) as c:
        for svc, prefix, route, _, path, kind in TARGETS:
            if svc != service:
                continue
            names = ["body", *_names(path)]
            bads: list[Any] = {
                "int": [True, "100", 100.5],
                "int_or_flag": ["100", 100.5],
                "flag": ["yes", 1],
            }.get(kind, ["４４０７８３０００００１"])
            for bad in bads:
                method = sorted(route.methods)[0]
                r = await c.request(
                    method, _url(prefix, route), json=_nest(path, bad), headers=admin | {"If-Match": '"1"'}
                )
                fields = (
                    [e.get("field", "") for e in r.json().get("errors", [])] if r.status_code == 422 else []
                )
                if (
                    r.status_code != 422
                    or not r.headers["content-type"].startswith("application/problem+json")
                    or not any(_at(tuple(f.split(".")), tuple(names)) for f in fields)
                ):
                    wrong.append(
                        f"{method} {route.path} {'.'.join(names)}={bad!r} -> {r.status_code} {r.text[:150]}"
                    )
    assert not wrong, "\n".join(wrong[:30])


@pytest.mark.asyncio
async def test_a_transfer_of_true_or_text_fen_is_422_and_moves_nothing(make_db) -> None:  # type: ignore[no-untyped-def]
    from services.funds.app import create_app
    from services.funds.settings import FundsSettings
    from tests.funds.integration.factories import FINANCE, open_kaiping_accounts

    app = create_app(settings_for(FundsSettings, make_db("funds")))
    receipt = {
        "kind": "receipt",
        "from_account": "jiangmen-poverty-fund",
        "to_account": "kaiping-special-account",
    }
    async with service_client(app) as c:
        await open_kaiping_accounts(c)
        for amount in (True, "100", 100.0, "１００"):
            r = await c.post(
                "/funds/v1/ledger/transfers", json=receipt | {"amount_fen": amount}, headers=FINANCE
            )
            assert r.status_code == 422, (amount, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert [e["field"] for e in r.json()["errors"]] == ["body.amount_fen"]
        r = await c.get("/funds/v1/ledger/transactions", headers=FINANCE)
        assert r.status_code == 200
        assert r.json()["items"] == []
        ok = await c.post("/funds/v1/ledger/transfers", json=receipt | {"amount_fen": 100}, headers=FINANCE)
        assert ok.status_code == 201, ok.text


@pytest.mark.asyncio
async def test_a_project_disbursement_of_true_fen_is_422(make_db) -> None:  # type: ignore[no-untyped-def]
    from services.funds.app import create_app
    from services.funds.settings import FundsSettings

    app = create_app(settings_for(FundsSettings, make_db("funds")))
    county = auth("finance", "440783000000")
    async with service_client(app) as c:
        await c.post(
            "/funds/v1/accounts",
            json={
                "code": "kaiping-pool",
                "name": "开平市统筹整合资金",
                "area_code": "440783000000",
                "kind": "holding",
            },
            headers=county,
        )
        project = await c.post(
            "/funds/v1/projects",
            json={
                "name": "步栏村饮水安全工程",
                "area_code": "440783105201",
                "category": "infrastructure",
                "budget_fen": 50_000_000,
                "funding_account": "kaiping-pool",
            },
            headers=county,
        )
        assert project.status_code == 201, project.text
        for amount in (True, "100"):
            pay = {
                "beneficiary_kind": "project",
                "beneficiary_id": project.json()["id"],
                "amount_fen": amount,
                "from_account": "kaiping-pool",
            }
            r = await c.post("/funds/v1/disbursements", json=pay, headers=county)
            assert r.status_code == 422, r.text
            assert r.json()["errors"][0]["field"] == "body.amount_fen"
        for budget in (True, "50000000", 5e7):
            r = await c.post(
                "/funds/v1/projects",
                json={
                    "name": "x",
                    "area_code": "440783105201",
                    "category": "infrastructure",
                    "budget_fen": budget,
                    "funding_account": "kaiping-pool",
                },
                headers=county,
            )
            assert r.status_code == 422, (budget, r.text)
