"""Optimistic concurrency for updates: ETag on reads, If-Match on writes.

A route that returns a resource sets ``response.headers["ETag"] = etag(obj.version)``; a route
that updates it takes ``if_match: IfMatch`` and calls ``check_if_match(if_match, obj.version)``
before changing anything. Missing header -> 428, stale -> 412 (nothing is written).

A PUT that creates the record when it does not exist yet (a budget for a year, a target, a policy
record) calls ``check_put_precondition(if_match, row.version if row else None)``: creating needs no
If-Match, but an If-Match given for a record that does not exist is 412 (RFC 9110 13.1.1); once the
record exists, the rule above applies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from shared.errors import PreconditionFailed, PreconditionRequired

__all__ = ["IfMatch", "check_if_match", "check_put_precondition", "etag"]

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


def check_put_precondition(if_match: str | None, current_version: int | str | None) -> None:
    """For a create-or-replace PUT; ``current_version`` is None while the record does not exist."""
    if current_version is not None:
        check_if_match(if_match, current_version)
    elif if_match is not None:
        raise PreconditionFailed(
            "No such record exists to match your If-Match; send the PUT without If-Match to create it",
            current_etag=None,
        )
