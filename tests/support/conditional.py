"""One check of the optimistic-concurrency contract of a create-or-replace PUT (shared.http).

The contract, as registry's PATCH /households sets it: GET sends an ETag; a change needs it in
If-Match (428 without, 412 stale, nothing written either way) and answers with the new ETag. A
PUT that creates the record needs no If-Match; an If-Match for a record that does not exist is 412.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

__all__ = [
    "assert_conditional_put",
    "assert_created_meanwhile",
    "assert_documents_conditions",
    "assert_no_lost_update",
]

PROBLEM = "application/problem+json"


def _problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = r.json()
    assert body["status"] == status
    return body


async def assert_conditional_put(
    client: httpx.AsyncClient,
    *,
    put_url: str,
    get_url: str,
    headers: dict[str, str],
    first: dict[str, Any],
    second: dict[str, Any],
    shown: Callable[[dict[str, Any]], Any],
    reader: dict[str, str] | None = None,
    absent: Callable[[httpx.Response], bool] = lambda r: r.status_code == 404,
) -> None:
    """Walk one record through create, read, unconditional change, change, stale change.

    ``shown(get_body)`` picks what the bodies change (compared with ``shown(first)`` etc.);
    ``absent(get_response)`` tells that the record is not there yet (default: 404).
    """
    reader = reader or headers

    async def read() -> httpx.Response:
        return await client.get(get_url, headers=reader)

    assert absent(await read())
    # If-Match on a record that does not exist: 412, and nothing is created
    _problem(await client.put(put_url, json=first, headers=headers | {"If-Match": '"1"'}), 412)
    assert absent(await read())

    created = await client.put(put_url, json=first, headers=headers)  # creating needs no If-Match
    assert created.status_code in (200, 204), created.text
    tag = created.headers["ETag"]
    got = await read()
    assert got.status_code == 200, got.text
    assert got.headers["ETag"] == tag
    assert shown(got.json()) == shown(first)

    # an existing record is changed only with the ETag read
    _problem(await client.put(put_url, json=second, headers=headers), 428)
    assert (await read()).headers["ETag"] == tag
    assert shown((await read()).json()) == shown(first)

    changed = await client.put(put_url, json=second, headers=headers | {"If-Match": tag})
    assert changed.status_code in (200, 204), changed.text
    new_tag = changed.headers["ETag"]
    assert new_tag != tag
    got = await read()
    assert (got.headers["ETag"], shown(got.json())) == (new_tag, shown(second))

    # someone else's change came in between: 412 with the current ETag, nothing written
    stale = _problem(await client.put(put_url, json=first, headers=headers | {"If-Match": tag}), 412)
    assert stale["current_etag"] == new_tag
    got = await read()
    assert (got.headers["ETag"], shown(got.json())) == (new_tag, shown(second))


async def assert_no_lost_update(
    client: httpx.AsyncClient,
    *,
    put_url: str,
    headers: dict[str, str],
    first: dict[str, Any],
    second: dict[str, Any],
) -> None:
    """Two writers at once: of two creations one wins and the other is told to read first (428);
    of two changes from the same ETag one wins and the other is stale (412). Nothing is lost
    silently. Call on a record that does not exist yet."""
    both = await asyncio.gather(
        client.put(put_url, json=first, headers=headers), client.put(put_url, json=second, headers=headers)
    )
    assert sorted(r.status_code for r in both) in ([200, 428], [204, 428]), [r.text for r in both]
    tag = next(r.headers["ETag"] for r in both if r.status_code < 300)
    both = await asyncio.gather(
        client.put(put_url, json=second, headers=headers | {"If-Match": tag}),
        client.put(put_url, json=first, headers=headers | {"If-Match": tag}),
    )
    assert sorted(r.status_code for r in both) in ([200, 412], [204, 412]), [r.text for r in both]


async def assert_documents_conditions(client: httpx.AsyncClient, openapi_url: str) -> list[str]:
    """Every PUT/PATCH of the document takes If-Match and documents 412 and 428; returns them."""
    paths = (await client.get(openapi_url)).json()["paths"]
    seen = []
    for path, operations in paths.items():
        for method, operation in operations.items():
            if method not in ("put", "patch"):
                continue
            seen.append(f"{method.upper()} {path}")
            headers = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
            assert "if-match" in headers, f"{method} {path} takes no If-Match"
            for code in ("412", "428"):
                content = operation["responses"][code]["content"]
                assert PROBLEM in content, f"{method} {path} {code}"
    return seen


async def assert_created_meanwhile(
    client: httpx.AsyncClient,
    database_url: str,
    *,
    put: Callable[[], Awaitable[httpx.Response]],
    create: Callable[[AsyncSession], Awaitable[Any]],
) -> dict[str, Any]:
    """A PUT without If-Match that found no record while another writer's insert of the same key was
    not yet committed (``create``, on its own session): once that commits, the PUT is told to read
    the record first (428) and writes nothing. Returns the problem (in Chinese unless asked)."""
    engine = create_async_engine(database_url)
    try:
        async with AsyncSession(engine) as other:
            await create(other)
            await other.flush()
            answer = asyncio.create_task(put())
            await _until_blocked(engine, answer)  # the PUT read nothing and waits at its insert
            await other.commit()
        return _problem(await answer, 428)
    finally:
        await engine.dispose()


async def _until_blocked(engine: AsyncEngine, request: asyncio.Task[httpx.Response]) -> None:
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    async with engine.connect() as conn:
        for _ in range(500):
            if request.done() or (await conn.execute(waiting)).scalar_one():
                return
            await asyncio.sleep(0.02)
    raise AssertionError("the PUT never waited for the other writer's insert")
