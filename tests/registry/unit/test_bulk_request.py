"""The bulk import's body parsed by pydantic from the bytes (households.bulk_request) accepts what
FastAPI's json.loads + validation accepted, with the same values, and refuses what it refused (a
refused body then takes FastAPI's own path, so its problem+json is FastAPI's)."""

from __future__ import annotations

import gc
import json
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from services.registry.households.bulk_request import ParsedBodyRoute, collector_paused
from services.registry.households.schemas import ImportIn

ADAPTER = TypeAdapter(ImportIn)
MEMBER = {
    "name": "王大明",
    "resident_id": "440783197005170011",
    "relation": "head",
    "labour_capacity": "full",
}
ROW = {"area_code": "440783101201", "year": 2017, "registered_on": "2017-06-01", "members": [MEMBER]}


def body(**row: Any) -> bytes:
    return json.dumps({"households": [ROW | row], "source_roll": "省平台", "reason": "迁移"}).encode()


BODIES = [
    body(),
    body(
        members=[MEMBER | {"relation": "户主", "labour_capacity": "全劳力"}],
        poverty_causes=["因病", "illness"],
    ),
    body(basic_needs={"housing": True}, batches=["2016"], dibao=True, income_channels=["务工"]),
    body(year="2017"),  # StrictInt: a string is refused both ways
    body(year=2017.0),
    body(dibao="yes"),
    body(dibao="true"),
    body(registered_on="2017-6-1"),
    body(registered_on=1496275200),
    body(members=[]),
    body(members=[MEMBER | {"relation": "owner"}]),
    body(members=[MEMBER | {"birth_date": "1970-05-17", "sex": "男"}]),
    body(unknown_field=1),
    body(household_number=None, plan=None),
    b'{"households": [], "reason": "x"}',
    b'{"households": "none"}',
    b"[]",
    b'{"households": [' + json.dumps(ROW).encode() + b'], "households": []}',  # the last key wins
    b'{"households": [' + json.dumps(ROW).encode() + b'], "reason": "\\u65e7"}',
]


@pytest.mark.parametrize("raw", BODIES)
def test_json_validation_accepts_and_refuses_what_python_validation_did(raw: bytes) -> None:
    def outcome(parse: Any) -> Any:  # a refusal's words are FastAPI's either way (see the module)
        try:
            return parse().model_dump()
        except ValidationError:
            return "refused"

    assert outcome(lambda: ADAPTER.validate_json(raw)) == outcome(
        lambda: ADAPTER.validate_python(json.loads(raw), from_attributes=True)
    )


@pytest.mark.asyncio
async def test_the_request_hands_fastapi_the_validated_model_or_the_plain_json() -> None:
    request_class = ParsedBodyRoute.for_model(ImportIn).request_class

    async def parsed(raw: bytes) -> Any:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": raw, "more_body": False}

        return await request_class({"type": "http", "method": "POST", "headers": []}, receive).json()

    good = await parsed(body())
    assert isinstance(good, ImportIn)
    assert ADAPTER.validate_python(good, from_attributes=True) is good  # FastAPI's check passes it on
    assert await parsed(body(year="2017")) == json.loads(body(year="2017"))
    with pytest.raises(json.JSONDecodeError):
        await parsed(b'{"households": [')


def test_the_collector_waits_while_imports_run_and_comes_back_after_the_last() -> None:
    """Two overlapping imports: the collector is off while either runs, on again after the last;
    left off when it was off before."""
    assert gc.isenabled()
    first, second = collector_paused(), collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()  # the second import still runs
    second.__exit__(None, None, None)
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
