"""DCI message envelopes (registry core API v1.0.0) and the admin routes' client records."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, StrictBool

from services.registry.dci.rules import DATA_RIGHTS, MAX_REQUESTS_PER_MESSAGE
from shared.clock import OfficeDateTime
from shared.fields import AREA_CODE_PATTERN, StrictInt

_ID = Field(min_length=1, max_length=99)


class MsgHeader(BaseModel):
    """MsgHeader_V1.0.0 of a request."""

    model_config = ConfigDict(extra="allow")

    version: str = "1.0.0"
    message_id: str = _ID
    message_ts: datetime
    action: str = Field(max_length=20)
    sender_id: str = Field(min_length=1, max_length=64)
    sender_uri: str | None = Field(None, description="ignored: callbacks go to the registered callback_url")
    receiver_id: str | None = Field(None, max_length=99)
    total_count: StrictInt = Field(ge=0)
    is_msg_encrypted: StrictBool = False
    meta: dict[str, Any] | None = None


class _Item(BaseModel):
    model_config = ConfigDict(extra="allow")

    reference_id: str = _ID
    timestamp: datetime
    locale: str | None = None


class _Message(BaseModel):
    """A DCI message: its transaction id first, then what the kind of message carries."""

    model_config = ConfigDict(extra="allow")

    transaction_id: str = _ID


class SearchItem(_Item):
    search_criteria: dict[str, Any] = Field(
        description="query_type idtype-value | expression | predicate, query, sort, pagination (docs/DCI.md)"
    )


class SearchMessage(_Message):
    search_request: list[SearchItem] = Field(min_length=1, max_length=MAX_REQUESTS_PER_MESSAGE)


class SubscribeItem(_Item):
    subscribe_criteria: dict[str, Any] = Field(
        description="reg_event_type (registered|exited|relapsed|moved|died), filter_type, filter (area_code)"
    )


class SubscribeMessage(_Message):
    subscribe_request: list[SubscribeItem] = Field(min_length=1, max_length=MAX_REQUESTS_PER_MESSAGE)


class UnsubscribeMessage(_Message):
    timestamp: datetime
    subscription_codes: list[str] = Field(min_length=1, max_length=MAX_REQUESTS_PER_MESSAGE)


class TxnStatusQuery(BaseModel):
    model_config = ConfigDict(extra="allow")

    reference_id: str = _ID
    txn_type: Literal["search", "subscribe", "unsubscribe"]
    attribute_type: Literal["transaction_id", "correlation_id"]
    attribute_value: str = _ID


class TxnStatusMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    transaction_id: str = _ID
    txnstatus_request: TxnStatusQuery


class _Envelope(BaseModel):
    signature: str | None = Field(None, description="DCI MsgSignature over header and message (docs/DCI.md)")
    header: MsgHeader


class SearchEnvelope(_Envelope):
    message: SearchMessage


class SubscribeEnvelope(_Envelope):
    message: SubscribeMessage


class UnsubscribeEnvelope(_Envelope):
    message: UnsubscribeMessage


class TxnStatusEnvelope(_Envelope):
    message: TxnStatusMessage


class Reply(BaseModel):
    """A signed DCI answer: MsgCallbackHeader_V1.0.0 and the message of the matching ``on-`` action."""

    signature: str
    header: dict[str, Any]
    message: dict[str, Any]


class AckMessage(BaseModel):
    ack_status: Literal["ACK", "NACK", "ERR"]
    timestamp: datetime
    correlation_id: str


class Ack(BaseModel):
    """The DCI acknowledgement of an asynchronous request; the answer follows by callback."""

    message: AckMessage


# --------------------------------------------------------------------------------- admin

DataRight = StrEnum("DataRight", {name: name for name in DATA_RIGHTS})  # type: ignore[misc]


class ClientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{1,63}$", description="the client's DCI sender_id")
    name: str = Field(min_length=1, max_length=100)
    callback_url: AnyHttpUrl | None = Field(
        None, description="base URL: on-search and notify are POSTed under it"
    )
    area_code: str = Field(pattern=AREA_CODE_PATTERN, description="root of the area it may ask about")
    data_rights: list[DataRight] = Field(min_length=1, description="the fields its agreement names")
    search_per_minute: StrictInt = Field(60, ge=1, le=6000)
    search_burst: StrictInt = Field(20, ge=1, le=1000)


class ClientChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    callback_url: AnyHttpUrl | None = None
    area_code: str | None = Field(None, pattern=AREA_CODE_PATTERN)
    data_rights: list[DataRight] | None = Field(None, min_length=1)
    search_per_minute: StrictInt | None = Field(None, ge=1, le=6000)
    search_burst: StrictInt | None = Field(None, ge=1, le=1000)
    active: StrictBool | None = Field(None, description="false: refused from now on, its subscriptions end")
    rotate_secret: StrictBool = Field(False, description="issue a new secret (shown once in the answer)")


class ClientOut(BaseModel):
    id: str
    name: str
    callback_url: str | None
    area_code: str
    data_rights: list[str]
    search_per_minute: int
    search_burst: int
    active: bool
    version: int
    created_at: OfficeDateTime


class ClientWithSecret(ClientOut):
    secret: str = Field(
        description="the HMAC-SHA256 key for signatures, shown only now: give it to the client"
    )
