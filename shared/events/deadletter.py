"""Dead letters: events a consumer gave up on, kept in the ``DEADLETTER`` stream until replayed.

When a handler has failed on the last allowed delivery (``consumer_max_attempts``), the consumer
runner copies the message here, on ``deadletter.<consumer service>.<original subject>``, with the
original body unchanged and ``Jingzhun-*`` headers saying who gave up, after how many attempts,
why (error class and first line of its message, no stack trace) and where the event came from.
Only once JetStream acknowledged that copy does the runner ``term()`` the original.

``replay`` publishes the body again to its original subject with a fresh ``Nats-Msg-Id`` (the
producing stream's duplicate window would otherwise drop it) and then deletes the dead letter.
The CloudEvent id is unchanged, so consumers that had handled the event skip it via their inbox.

Header values are ASCII: anything else (a Chinese error message) is percent-encoded UTF-8.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import quote, unquote

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError

from shared.clock import clock
from shared.events.envelope import CloudEvent
from shared.events.streams import DEADLETTER_STREAM, deadletter_subject, ensure_stream

__all__ = [
    "DeadLetter",
    "DeadLetterNotFound",
    "Header",
    "describe_error",
    "get_dead_letter",
    "iter_dead_letters",
    "publish_dead_letter",
    "replay",
    "replay_msg_id",
]

ERROR_MAX_CHARS = 300
# Printable ASCII except '%' stays as it is; everything else is percent-encoded.
_SAFE = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in "%")


class Header:
    SERVICE = "Jingzhun-Service"
    CONSUMER = "Jingzhun-Consumer"
    ATTEMPTS = "Jingzhun-Attempts"
    ERROR = "Jingzhun-Error"
    ERROR_TYPE = "Jingzhun-Error-Type"
    FAILED_AT = "Jingzhun-Failed-At"
    EVENT_ID = "Jingzhun-Event-Id"
    EVENT_TYPE = "Jingzhun-Event-Type"
    ORIGINAL_SUBJECT = "Jingzhun-Original-Subject"
    ORIGINAL_STREAM = "Jingzhun-Original-Stream"
    ORIGINAL_SEQ = "Jingzhun-Original-Seq"


class DeadLetterNotFound(LookupError):
    """No dead letter with that sequence (already replayed, or never there)."""


@dataclass(frozen=True)
class DeadLetter:
    seq: int  # in the DEADLETTER stream
    service: str  # the consuming service that gave up
    consumer: str  # its durable consumer, e.g. pairing-from-registry
    event_id: str
    event_type: str
    attempts: int
    error: str  # "ValueError: first line of the message"
    error_type: str  # qualified class name
    failed_at: str
    original_subject: str
    original_stream: str
    original_seq: int
    request_id: str | None
    data: bytes  # the original CloudEvent JSON, unchanged


def _header(value: str) -> str:
    return quote(value, safe=_SAFE)


def describe_error(exc: BaseException) -> tuple[str, str]:
    """(qualified class name, ``"Class: first line of the message"``), truncated, no stack trace.

    First line only: SQLAlchemy appends the SQL statement and its parameters (personal data) on
    the following lines.
    """
    cls = type(exc)
    qualified = cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    lines = str(exc).strip().splitlines()
    text = f"{cls.__name__}: {lines[0]}" if lines else cls.__name__
    if len(text) > ERROR_MAX_CHARS:
        text = text[: ERROR_MAX_CHARS - 1] + "…"
    return qualified, text


async def publish_dead_letter(
    js: JetStreamContext,
    *,
    service: str,
    msg: Msg,
    event: CloudEvent | None,
    error: BaseException,
    replicas: int = 1,
) -> tuple[int, bool]:
    """Copy ``msg`` to the dead-letter stream; returns (its sequence there, was it already there).
    The attempts it records are the message's deliveries so far (its last one included).

    ``event`` None: the message is not an event at all (not a CloudEvents envelope); its id and
    type headers stay empty and its bytes are kept as they came, for the operator to read.

    ``Nats-Msg-Id`` = consumer + original stream sequence: if the original's ``term()`` is lost and
    the message fails once more, the second copy is dropped by JetStream. A replayed event has a new
    stream sequence, so if it fails again it is dead-lettered again.
    """
    meta = msg.metadata
    error_type, error_text = describe_error(error)
    headers = {
        "Nats-Msg-Id": f"{meta.consumer}:{meta.stream}:{meta.sequence.stream}",
        "Content-Type": "application/cloudevents+json",
        Header.SERVICE: service,
        Header.CONSUMER: meta.consumer,
        Header.ATTEMPTS: str(meta.num_delivered),
        Header.ERROR: error_text,
        Header.ERROR_TYPE: error_type,
        Header.FAILED_AT: clock.now().isoformat(timespec="milliseconds"),
        Header.EVENT_ID: event.id if event else "",
        Header.EVENT_TYPE: event.type if event else "",
        Header.ORIGINAL_SUBJECT: msg.subject,
        Header.ORIGINAL_STREAM: meta.stream,
        Header.ORIGINAL_SEQ: str(meta.sequence.stream),
    }
    rid = (msg.headers or {}).get("X-Request-ID") or (event.requestid if event else None)
    if rid:
        headers["X-Request-ID"] = rid
    await ensure_stream(js, DEADLETTER_STREAM, replicas=replicas)
    ack = await js.publish(
        deadletter_subject(service, msg.subject),
        msg.data,
        stream=DEADLETTER_STREAM,
        headers={k: _header(v) for k, v in headers.items()},
    )
    return ack.seq, bool(ack.duplicate)


def _parse(raw: RawStreamMsg) -> DeadLetter:
    h = {k: unquote(v) for k, v in (raw.headers or {}).items()}
    return DeadLetter(
        seq=int(raw.seq or 0),
        service=h.get(Header.SERVICE, ""),
        consumer=h.get(Header.CONSUMER, ""),
        event_id=h.get(Header.EVENT_ID, ""),
        event_type=h.get(Header.EVENT_TYPE, ""),
        attempts=int(h.get(Header.ATTEMPTS) or 0),
        error=h.get(Header.ERROR, ""),
        error_type=h.get(Header.ERROR_TYPE, ""),
        failed_at=h.get(Header.FAILED_AT, ""),
        original_subject=h.get(Header.ORIGINAL_SUBJECT, ""),
        original_stream=h.get(Header.ORIGINAL_STREAM, ""),
        original_seq=int(h.get(Header.ORIGINAL_SEQ) or 0),
        request_id=h.get("X-Request-ID"),
        data=raw.data or b"",
    )


async def get_dead_letter(js: JetStreamContext, seq: int) -> DeadLetter:
    try:
        raw = await js.get_msg(DEADLETTER_STREAM, seq=seq)
    except NotFoundError as exc:  # no such message, or no dead-letter stream yet
        raise DeadLetterNotFound(f"no dead letter with sequence {seq}") from exc
    return _parse(raw)


async def iter_dead_letters(js: JetStreamContext, *, service: str | None = None) -> AsyncIterator[DeadLetter]:
    """Every dead letter (of one consuming service), oldest first."""
    subject = deadletter_subject(service) if service else "deadletter.>"
    seq = 1
    while True:
        try:
            raw = await js.get_msg(DEADLETTER_STREAM, seq=seq, subject=subject, next=True)
        except NotFoundError:  # none left, or no dead-letter stream yet
            return
        letter = _parse(raw)
        yield letter
        seq = letter.seq + 1


def replay_msg_id(letter: DeadLetter) -> str:
    """Fresh for each dead letter, stable for one: a replay retried after a crash is de-duplicated."""
    return f"{letter.event_id}:replay:{letter.seq}"


async def replay(js: JetStreamContext, letter: DeadLetter) -> int:
    """Publish the original event again to its subject, then delete the dead letter.

    Returns the event's new sequence in its producing stream.
    """
    if not letter.original_subject or not letter.original_stream:
        raise ValueError(f"dead letter {letter.seq} lacks its original subject or stream")
    headers = {"Nats-Msg-Id": replay_msg_id(letter), "Content-Type": "application/cloudevents+json"}
    if letter.request_id:
        headers["X-Request-ID"] = letter.request_id
    ack = await js.publish(
        letter.original_subject, letter.data, stream=letter.original_stream, headers=headers
    )
    try:
        await js.delete_msg(DEADLETTER_STREAM, letter.seq)
    except NotFoundError:
        pass  # someone else replayed it at the same time; the Nats-Msg-Id kept it to one copy
    return ack.seq
