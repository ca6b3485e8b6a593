"""Optimistic concurrency for updates: ETag on reads, If-Match on writes.

A route that returns a resource sets ``response.headers["ETag"] = etag(obj.version)``; a route
that updates it takes ``if_match: IfMatch`` and calls ``check_if_match(if_match, obj.version)``
before changing anything. Missing header -> 428, stale -> 412 (nothing is written).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from shared.errors import PreconditionFailed, PreconditionRequired

__all__ = ["IfMatch", "check_if_match", "etag"]

IfMatch = Annotated[str | None, Header(alias="If-Match", description="the ETag you read")]


def etag(version: int | str) -> str:
    return f'"{version}"'


def check_if_match(if_match: str | None, current_version: int | str) -> None:
    if if_match is None:
        raise PreconditionRequired(
            "Send the ETag you last read in an If-Match header, so changes by others are not overwritten"
        )
    wanted = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in wanted and etag(current_version) not in wanted:
        raise PreconditionFailed(
            "Someone changed this record after you read it; reload it and apply your change again",
            current_etag=etag(current_version),
        )
