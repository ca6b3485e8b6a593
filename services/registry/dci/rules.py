"""Pure rules of the DCI registry API: header checks, search and subscribe criteria, data rights,
which registry events are which DCI event kinds. No I/O here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from services.registry.vocabulary import HouseholdStatus, PovertyCause
from shared.problems import Language
from shared.resident_id import InvalidResidentId, validate

DCI_VERSION = "1.0.0"
REG_TYPE = "jingzhun:RegistryType:PovertyAlleviation"  # 建档立卡 registry
RECORD_PERSON = "jingzhun:RecordType:PersonInHousehold"
RECORD_HOUSEHOLD = "jingzhun:RecordType:Household"
EVENT_TYPE_PREFIX = "jingzhun:RegistryEventType:"
ID_TYPES = frozenset({"RESIDENT_ID", "UIN"})  # 公民身份号码; UIN is DCI's generic unique id
TEMPLATE_TYPE = "jingzhun:QueryType:attributes"
MAX_REQUESTS_PER_MESSAGE = 20
MAX_PAGE_SIZE = 100
SORTABLE = {"area_code", "year", "registered_on", "household_number"}

# Fields an agreement may name (data rights). Households and persons are cut to them.
HOUSEHOLD_RIGHTS = (
    "household_id",
    "household_number",
    "area_code",
    "status",
    "year",
    "member_count",
    "poverty_causes",
    "batches",
    "dibao",
    "registered_on",
    "exited_on",
)
PERSON_RIGHTS = ("name_masked", "resident_id_masked", "relation")
DATA_RIGHTS = (*HOUSEHOLD_RIGHTS, *PERSON_RIGHTS, "members")

EVENT_KINDS = ("registered", "exited", "relapsed", "moved", "died")
REGISTERED_EVENT = "registry.household.registered.v1"
EXITED_EVENT = "registry.household.exited.v1"
RELAPSED_EVENT = "registry.household.relapsed.v1"
UPDATED_EVENT = "registry.household.updated.v1"
WATCHED_EVENTS = (REGISTERED_EVENT, EXITED_EVENT, RELAPSED_EVENT, UPDATED_EVENT)


class Rejected(Exception):
    """One request of a batch refused with a DCI status reason code (``rjct.…``)."""

    def __init__(self, code: str, message: str, message_zh: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.message_zh = message_zh

    def said(self, language: Language) -> str:
        """The ``status_reason_message`` in the reader's language (Chinese unless English asked)."""
        return self.message if language == "en" else self.message_zh


class MessageRefused(Exception):
    """The whole message refused: a DCI error or header reason code, and the HTTP status."""

    def __init__(self, code: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


# ------------------------------------------------------------------------------------- header


def check_header(
    header: Mapping[str, Any], *, action: str, receiver_id: str, items: int, token_sub: str
) -> None:
    """The message header of a request to this registry (MsgHeader_V1.0.0)."""
    if header.get("version", DCI_VERSION) != DCI_VERSION:
        raise MessageRefused("err.version.not_supported", f"only DCI version {DCI_VERSION} is spoken here")
    if header.get("action") != action:
        raise MessageRefused("rjct.action.invalid", f"this endpoint takes action '{action}'")
    if header.get("is_msg_encrypted"):
        raise MessageRefused("err.encryption.invalid", "encrypted messages are not accepted: use TLS")
    if header.get("receiver_id") not in (None, "", receiver_id):
        raise MessageRefused("err.receiver_id.invalid", f"this registry is receiver '{receiver_id}'")
    if header.get("sender_id") != token_sub:
        raise MessageRefused(
            "err.sender_id.invalid", "the sender_id is not the client your access token was issued to", 403
        )
    if header.get("total_count") != items:
        raise MessageRefused("rjct.total_count.invalid", f"total_count must be {items}, the requests sent")
    if items > MAX_REQUESTS_PER_MESSAGE:
        raise MessageRefused(
            "rjct.total_count.limit_exceeded", f"at most {MAX_REQUESTS_PER_MESSAGE} requests per message"
        )


def reply_header(
    *,
    action: str,
    message_id: str,
    now: datetime,
    sender_id: str,
    receiver_id: str,
    total: int,
    completed: int,
) -> dict[str, Any]:
    """A MsgCallbackHeader_V1.0.0 of this registry's answer or callback."""
    return {
        "version": DCI_VERSION,
        "message_id": message_id,
        "message_ts": now.isoformat(),
        "action": action,
        "status": "succ",
        "total_count": total,
        "completed_count": completed,
        "sender_id": sender_id,
        "receiver_id": receiver_id,
        "is_msg_encrypted": False,
    }


# ----------------------------------------------------------------------------------- criteria


@dataclass(frozen=True)
class Criteria:
    """One search, parsed: a person by identifier, or households by attributes. JSON-storable."""

    kind: str  # person | households
    resident_id_hash: str | None = None
    area_code: str | None = None
    statuses: tuple[str, ...] = ()
    batch: str | None = None
    cause: str | None = None
    year_min: int | None = None
    year_max: int | None = None
    sort: tuple[tuple[str, str], ...] = (("area_code", "asc"),)
    page_size: int = 20
    page_number: int = 1

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Criteria:
        values = dict(data)
        values["statuses"] = tuple(values.get("statuses", ()))
        values["sort"] = tuple(tuple(s) for s in values.get("sort", ()))
        return cls(**values)


@dataclass
class _Filter:
    area_code: str | None = None
    statuses: list[str] = field(default_factory=list)
    batch: str | None = None
    cause: str | None = None
    year_min: int | None = None
    year_max: int | None = None


def _area(value: Any) -> str:
    if not (isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()):
        raise Rejected(
            "rjct.search_criteria.invalid",
            "area_code is a 12-digit division code",
            "地区代码应为12位数字的区划代码",
        )
    return value


def _year(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 2000 <= value <= 2100:
        raise Rejected(
            "rjct.search_criteria.invalid",
            "year is a whole number between 2000 and 2100",
            "年度应为2000至2100之间的整数",
        )
    return value


def _status(value: Any) -> str:
    try:
        return HouseholdStatus(value).value
    except ValueError as exc:
        raise Rejected(
            "rjct.search_criteria.invalid",
            f"status is one of {', '.join(s.value for s in HouseholdStatus)}",
            f"户状态应为以下之一：{'、'.join(f'{s.value}（{s.label}）' for s in HouseholdStatus)}",
        ) from exc


def _apply(f: _Filter, name: Any, op: Any, value: Any) -> None:
    if name == "area_code" and op == "eq":
        f.area_code = _area(value)
    elif name == "status" and op == "eq":
        f.statuses = [_status(value)]
    elif name == "status" and op == "in" and isinstance(value, list) and value:
        f.statuses = [_status(v) for v in value]
    elif name == "batch" and op == "eq" and isinstance(value, str) and value:
        f.batch = value
    elif name == "poverty_cause" and op == "eq":
        try:
            f.cause = PovertyCause(value).value
        except ValueError as exc:
            raise Rejected(
                "rjct.search_criteria.invalid",
                "poverty_cause is a code of the 致贫原因 list",
                "致贫原因应为致贫原因代码表中的代码",
            ) from exc
    elif name == "year" and op in ("eq", "ge", "gt", "le", "lt"):
        year = _year(value)
        if op in ("eq", "ge", "gt"):
            f.year_min = max(f.year_min or 0, year + (op == "gt"))
        if op in ("eq", "le", "lt"):
            low = year - (op == "lt")
            f.year_max = low if f.year_max is None else min(f.year_max, low)
    else:
        raise Rejected(
            "rjct.search_criteria.invalid",
            f"unsupported predicate {name!r} {op!r}: area_code eq, status eq|in, batch eq, "
            "poverty_cause eq, year eq|ge|gt|le|lt",
            f"不支持的查询条件 {name!r} {op!r}；可用：area_code eq、status eq|in、batch eq、"
            "poverty_cause eq、year eq|ge|gt|le|lt",
        )


def _predicates(query: Any) -> _Filter:
    if not isinstance(query, list) or not query:
        raise Rejected(
            "rjct.search_criteria.invalid",
            "a predicate query is a list of expressions",
            "predicate 查询应为条件表达式的列表",
        )
    f = _Filter()
    for entry in sorted(query, key=lambda e: e.get("seq_num", 0) if isinstance(e, dict) else 0):
        if not isinstance(entry, dict) or not isinstance(entry.get("expression1"), dict):
            raise Rejected(
                "rjct.search_criteria.invalid",
                "each predicate needs expression1",
                "每个查询条件都要有 expression1",
            )
        expressions = [entry["expression1"]]
        if entry.get("condition") is not None or entry.get("expression2") is not None:
            if entry.get("condition") != "and" or not isinstance(entry.get("expression2"), dict):
                raise Rejected(
                    "rjct.search_criteria.invalid",
                    "only the condition 'and' is supported",
                    "条件之间只支持 and（同时满足）",
                )
            expressions.append(entry["expression2"])
        for e in expressions:
            _apply(f, e.get("attribute_name"), e.get("operator"), e.get("attribute_value"))
    return f


def _template(query: Any) -> _Filter:
    if (
        not isinstance(query, dict)
        or query.get("type") != TEMPLATE_TYPE
        or not isinstance(query.get("value"), dict)
    ):
        raise Rejected(
            "rjct.search_criteria.invalid",
            f"an expression query is {{'type': '{TEMPLATE_TYPE}', 'value': {{attribute: value}}}}",
            f"expression 查询应为 {{'type': '{TEMPLATE_TYPE}', 'value': {{属性: 值}}}}",
        )
    f = _Filter()
    for name, value in query["value"].items():
        if name == "status" and isinstance(value, list):
            _apply(f, name, "in", value)
        else:
            _apply(f, name, "eq", value)
    return f


def _sort(raw: Any) -> tuple[tuple[str, str], ...]:
    if raw in (None, []):
        return (("area_code", "asc"),)
    if not isinstance(raw, list):
        raise Rejected(
            "rjct.sort.invalid",
            "sort is a list of {attribute_name, sort_order}",
            "排序应为 {attribute_name, sort_order} 的列表",
        )
    out = []
    for s in raw:
        if not isinstance(s, dict) or s.get("attribute_name") not in SORTABLE:
            raise Rejected(
                "rjct.sort.invalid",
                f"sortable attributes: {', '.join(sorted(SORTABLE))}",
                f"可排序的属性：{'、'.join(sorted(SORTABLE))}",
            )
        order = s.get("sort_order", "asc")
        if order not in ("asc", "desc"):
            raise Rejected(
                "rjct.sort.invalid", "sort_order is asc or desc", "排序方向应为 asc（升序）或 desc（降序）"
            )
        out.append((s["attribute_name"], order))
    return tuple(out)


def _pagination(raw: Any) -> tuple[int, int]:
    if raw is None:
        return 20, 1
    size, number = (
        (raw.get("page_size"), raw.get("page_number", 1)) if isinstance(raw, dict) else (None, None)
    )
    for v in (size, number):
        if not isinstance(v, int) or isinstance(v, bool) or v < 1:
            raise Rejected(
                "rjct.pagination.invalid",
                "page_size and page_number are whole numbers from 1",
                "每页条数（page_size）和页码（page_number）应为从1起的整数",
            )
    assert isinstance(size, int)
    assert isinstance(number, int)
    if size > MAX_PAGE_SIZE:
        raise Rejected(
            "rjct.pagination.invalid", f"page_size is at most {MAX_PAGE_SIZE}", f"每页最多{MAX_PAGE_SIZE}条"
        )
    return size, number


def parse_search(criteria: Any, *, hash_id: Callable[[str], str], today: date) -> Criteria:
    """A ``search_criteria`` object as :class:`Criteria`; a resident ID is kept only as its keyed
    hash (``hash_id``). Raises :class:`Rejected` with the DCI reason code."""
    if not isinstance(criteria, dict):
        raise Rejected(
            "rjct.search_criteria.invalid", "search_criteria is an object", "查询条件应为对象（{…}）"
        )
    if criteria.get("reg_type") not in (None, REG_TYPE):
        raise Rejected(
            "rjct.search_criteria.invalid",
            f"this registry's reg_type is {REG_TYPE}",
            f"本登记系统的 reg_type 为 {REG_TYPE}",
        )
    query_type, query = criteria.get("query_type"), criteria.get("query")
    page_size, page_number = _pagination(criteria.get("pagination"))
    if query_type == "idtype-value":
        if not isinstance(query, dict) or query.get("type") not in ID_TYPES:
            raise Rejected(
                "rjct.search_criteria.invalid",
                "idtype-value: type is RESIDENT_ID (or UIN)",
                "按证件查询时 type 应为 RESIDENT_ID（或 UIN）",
            )
        try:
            number = validate(str(query.get("value", "")), today=today).number
        except InvalidResidentId as exc:
            raise Rejected("rjct.search_criteria.invalid", f"value: {exc}", exc.zh) from exc
        return Criteria(
            kind="person", resident_id_hash=hash_id(number), page_size=page_size, page_number=page_number
        )
    if query_type == "predicate":
        f = _predicates(query)
    elif query_type == "expression":
        f = _template(query)
    else:
        raise Rejected(
            "rjct.search_criteria.invalid",
            "query_type is idtype-value, expression or predicate",
            "查询方式（query_type）应为 idtype-value、expression 或 predicate",
        )
    return Criteria(
        kind="households",
        **asdict(f) | {"statuses": tuple(f.statuses)},  # the filter's fields, as the criteria keep them
        sort=_sort(criteria.get("sort")),
        page_size=page_size,
        page_number=page_number,
    )


def scope_prefix(client_prefix: str, area_code: str | None) -> str | None:
    """The area prefix a search reads: the client's scope, narrowed by the asked area; None when the
    asked area lies outside the scope (nothing is found there for this client)."""
    if area_code is None:
        return client_prefix
    asked = _prefix_of(area_code)
    if asked.startswith(client_prefix):
        return asked
    if client_prefix.startswith(asked):
        return client_prefix
    return None


def _prefix_of(code: str) -> str:
    for length in (2, 4, 6, 9):
        if code[length:] == "0" * (12 - length):
            return code[:length]
    return code


# ------------------------------------------------------------------------------- data rights


def household_record(
    h: Mapping[str, Any], members: Sequence[Mapping[str, Any]] | None, rights: Sequence[str]
) -> dict[str, Any]:
    """A household cut to the client's data rights (``members`` only if the agreement names them)."""
    allowed = set(rights)
    record: dict[str, Any] = {}
    for name in HOUSEHOLD_RIGHTS:
        if name in allowed and name in h:
            value = h[name]
            record[name] = value.isoformat() if isinstance(value, date) else value
    if "name_masked" in allowed and "head_name_masked" in h:
        record["head_name_masked"] = h["head_name_masked"]
    if "members" in allowed and members is not None:
        record["members"] = [person_record(m, rights) for m in members]
    return record


def person_record(m: Mapping[str, Any], rights: Sequence[str]) -> dict[str, Any]:
    allowed = set(rights)
    return {k: m[k] for k in PERSON_RIGHTS if k in allowed and k in m}


# ------------------------------------------------------------------------------- subscriptions


def parse_event_kind(value: Any) -> str:
    kind = value.removeprefix(EVENT_TYPE_PREFIX) if isinstance(value, str) else None
    if kind not in EVENT_KINDS:
        raise Rejected(
            "rjct.notify_types.invalid",
            f"reg_event_type is one of {', '.join(EVENT_KINDS)}",
            f"订阅的事件类型（reg_event_type）应为以下之一：{'、'.join(EVENT_KINDS)}",
        )
    return kind


def parse_subscribe_area(filter_type: Any, query: Any) -> str:
    """The area a subscription watches: ``area_code`` (alone) in an expression or predicate filter."""
    try:
        f = (
            _template(query)
            if filter_type == "expression"
            else _predicates(query)
            if filter_type == "predicate"
            else None
        )
    except Rejected as exc:
        raise Rejected("rjct.notify_details.invalid", exc.message, exc.message_zh) from exc
    if f is None or f.area_code is None or f.statuses or f.batch or f.cause or f.year_min or f.year_max:
        raise Rejected(
            "rjct.notify_details.invalid",
            "a subscription filter names one area_code (filter_type expression or predicate)",
            "订阅条件只能写一个地区代码 area_code（filter_type 为 expression 或 predicate）",
        )
    return f.area_code


def event_kind(event_type: str, data: Mapping[str, Any]) -> str | None:
    """Which DCI event kind a registry event is, if any."""
    if event_type == REGISTERED_EVENT:
        return "registered"
    if event_type == EXITED_EVENT:
        return "exited"
    if event_type == RELAPSED_EVENT:
        return "relapsed"
    if event_type == UPDATED_EVENT:
        if data.get("change") == "moved":
            return "moved"
        if data.get("change") == "member_removed" and data.get("reason") == "death":
            return "died"
    return None


def event_areas(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The places an event concerns: its area, and for a move also the area it left."""
    areas = [data.get("area_code"), data.get("from_area_code")]
    return tuple(a for a in areas if isinstance(a, str))


def watches(sub_area: str, client_area: str, areas: Sequence[str]) -> bool:
    """A subscription hears an event in an area under both its own area and its client's scope."""
    sub_prefix, client_prefix = _prefix_of(sub_area), _prefix_of(client_area)
    return any(a.startswith(sub_prefix) and a.startswith(client_prefix) for a in areas)


def area_within(client_area: str, area_code: str) -> bool:
    return area_code.startswith(_prefix_of(client_area))


def prefix_of(code: str) -> str:
    return _prefix_of(code)
