"""What ops configure for the push feed, and the subject filters both feeds accept."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["FeedSubscription", "InvalidSubjectFilter", "check_subject_filter"]

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class InvalidSubjectFilter(ValueError):
    """A subject filter that is not a NATS subject inside the service's own namespace."""


def check_subject_filter(service: str, subjects: str) -> str:
    """``registry.household.>`` for the registry: tokens, ``*`` tokens, ``>`` only last.

    Returns the filter; raises :class:`InvalidSubjectFilter` with a reason a client can act on.
    """
    tokens = subjects.split(".")
    if tokens[0] != service:
        raise InvalidSubjectFilter(f"the filter must start with '{service}.' (this service's events)")
    if len(tokens) < 2:
        raise InvalidSubjectFilter(f"the filter needs a token after '{service}', e.g. '{service}.>'")
    for i, token in enumerate(tokens):
        if token == ">" and i == len(tokens) - 1:
            continue
        if token == "*" or _TOKEN.fullmatch(token):
            continue
        raise InvalidSubjectFilter(
            f"'{token}' is not a subject token (letters, digits, '_', '-'; '*' for one token, '>' last)"
        )
    return subjects


class FeedSubscription(BaseModel):
    """One receiver of the push feed (a provincial big-data platform, another department's system).

    Set by ops in ``<SERVICE>_FEED_SUBSCRIPTIONS`` as a JSON list; there is no self-service API.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, Field(description="stable id: names the JetStream durable and the lock")]
    url: AnyHttpUrl
    secret: SecretStr = Field(description="HMAC-SHA256 key shared with the receiver (at least 16 characters)")
    subjects: str = Field(description="NATS subject filter, e.g. 'registry.household.>'")
    area_prefix: str = Field("", description="only events whose data.area_code starts with this")
    batch_size: int = Field(100, ge=1, le=1000)
    timeout_s: float = Field(10.0, gt=0, le=120)
    retry_base_s: float = Field(1.0, gt=0)
    retry_max_s: float = Field(300.0, gt=0)
    start_after: int | None = Field(
        None,
        ge=0,
        description="a new subscription starts after this stream sequence (a snapshot's feed_after) "
        "instead of the oldest event; once its durable exists, it keeps its position",
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError("name: lower-case letters, digits, '_' and '-', at most 63 characters")
        return value

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("secret: at least 16 characters")
        return value

    @field_validator("area_prefix")
    @classmethod
    def _area_prefix(cls, value: str) -> str:
        if value and not (value.isascii() and value.isdigit() and len(value) <= 12):
            raise ValueError("area_prefix: up to 12 digits of a division code (e.g. '4407' for a city)")
        return value

    @field_validator("subjects")
    @classmethod
    def _subjects(cls, value: str) -> str:
        # The service is checked when the subscription is bound to a stream (stream_for(service)).
        check_subject_filter(value.split(".", 1)[0], value)
        return value

    @property
    def durable(self) -> str:
        return f"feed-{self.name}"

    def covers(self, area_code: object) -> bool:
        return covers(self.area_prefix, area_code)


def covers(prefix: str, area_code: object) -> bool:
    """Events without a (string) ``data.area_code`` concern no place and go to every reader."""
    return not isinstance(area_code, str) or area_code.startswith(prefix)


def event_area(event: dict[str, object]) -> object:
    """The place an event concerns: ``data.area_code``, or ``data.code`` of an area event itself."""
    data = event.get("data")
    if not isinstance(data, dict):
        return None
    if "area_code" in data:
        return data["area_code"]
    if str(event.get("type", "")).endswith(".area.upserted.v1"):
        return data.get("code")
    return None
