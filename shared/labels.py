"""Validation errors as the form would say them: Chinese field labels, counted from 1, what to do.

A service hands ``create_service_app(labels=...)`` one ``FieldLabels`` (its ``labels.py``, which
loads the service's ``labels.json`` with :func:`load_labels`: the words are data, not code): the
Chinese name of each request field as its form prints it, the counting word of each list
(``members`` → 人: "成员第1人的身份证号"), a hint per field that says what a valid value looks like
("应为18位，最后一位可为X"), and the Chinese labels of its codes (``illness`` → 因病) so an
"expected one of" lists what the clerk can type. ``COMMON`` holds the fields every service shares.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from pydantic_core import PydanticCustomError

from shared.problems import Language

__all__ = ["COMMON", "FieldLabels", "describe_errors", "field_label", "load_labels", "refusal"]


def refusal(en: str, zh: str) -> PydanticCustomError:
    """What a model validator raises when the fields do not go together, in both languages::

        raise refusal("an anonymous complaint carries no complainant", "匿名举报不填写举报人")

    The English is the error's message (``Accept-Language: en``); the Chinese is what the clerk
    reads after the field's label (a plain ``ValueError`` would show the English to them too)."""
    return PydanticCustomError("value_error", en, {"zh": zh})  # only {zh} in ``en`` would be filled in


@dataclass(frozen=True)
class FieldLabels:
    fields: Mapping[str, str] = field(default_factory=dict)
    items: Mapping[str, str] = field(default_factory=dict)
    hints: Mapping[str, str] = field(default_factory=dict)
    codes: Mapping[str, str] = field(default_factory=dict)

    def __or__(self, other: FieldLabels) -> FieldLabels:
        return FieldLabels(
            {**self.fields, **other.fields},
            {**self.items, **other.items},
            {**self.hints, **other.hints},
            {**self.codes, **other.codes},
        )


def load_labels(package: str) -> FieldLabels:
    """A service's labels from the ``labels.json`` beside its modules (keys ``fields``, ``items``,
    ``hints``, ``codes``; each a map of field or code to its Chinese)."""
    data = json.loads(resources.files(package).joinpath("labels.json").read_text(encoding="utf-8"))
    return FieldLabels(**{part: dict(data.get(part, {})) for part in ("fields", "items", "hints", "codes")})


COMMON = FieldLabels(
    fields={
        "area_code": "地区代码",
        "village_code": "村代码",
        "area_prefix": "地区代码前缀",
        "year": "年度",
        "month": "月份",
        "quarter": "季度",
        "name": "姓名",
        "resident_id": "身份证号",
        "reason": "原因",
        "note": "备注",
        "amount_fen": "金额（分）",
        "limit": "每页条数",
        "after": "翻页游标",
        "cursor": "翻页游标",
        "types": "事件类型",
        "household_id": "户编号",
        "member_id": "成员编号",
        "title": "标题",
        "level": "层级",
        "format": "文件格式",
        "body": "请求内容",
        "status": "状态",
        "kind": "类别",
    },
    hints={
        "resident_id": "应为18位，最后一位可为X",
        "area_code": "应为12位数字的地区代码",
        "village_code": "应为12位数字的村代码",
        "area_prefix": "应为2、4、6、9或12位数字",
    },
    codes={"other": "其他", "json": "JSON", "csv": "CSV", "xlsx": "XLSX"},
)

# Errors about a value's shape: the field's own hint says it better than the generic words.
_SHAPE_ERRORS = frozenset(
    {
        "string_pattern_mismatch",
        "string_too_short",
        "string_too_long",
        "value_error",
        "string_type",
    }
)
_WHERE = {"query": "查询参数", "path": "路径参数", "header": "请求头", "cookie": "Cookie"}


def field_label(loc: Sequence[str | int], labels: FieldLabels) -> str:
    """("body", "members", 0, "resident_id") → 成员第1人的身份证号 (counted from 1, as a clerk counts)."""
    parts = list(loc)
    prefix = ""
    if parts and parts[0] in _WHERE:
        prefix = _WHERE[str(parts[0])]
        # a parameter named as a body field but asking for something else: its own label under
        # "<where>.<name>" (the registry's query ``cause`` is 致贫原因, the debt's ``cause`` 负债原因)
        own = labels.fields.get(".".join(str(p) for p in parts[:2])) if len(parts) == 2 else None
        if own is not None:
            return f"{prefix}{own}"
        parts = parts[1:]
    elif parts and parts[0] == "body":
        parts = parts[1:] or ["body"]
    text = ""
    previous: str | None = None
    for part in parts:
        if isinstance(part, int):  # a list index (a dict key stays as it was sent: "2016", "³")
            unit = labels.items.get(previous or "", "项")
            text += f"第{int(part) + 1}{unit}"
            previous = None
            continue
        name = str(part)
        # a code names a dict key inside a field (basic_needs.food → 吃不愁), never the field itself
        # (a query parameter ``full`` is not the labour capacity 普通劳动力)
        label = labels.fields.get(name) or (labels.codes.get(name) if text else None) or name
        text += f"的{label}" if text else label
        previous = name
    return f"{prefix}{text}" if prefix and not text.startswith(prefix) else text or prefix


def _expected(ctx: Mapping[str, Any], labels: FieldLabels) -> str:
    if "labels" in ctx:  # the list's own words (shared.vocabulary.code_or_label)
        return str(ctx["labels"])
    codes = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
    return "、".join(labels.codes.get(c, c) for c in codes)


def _message_zh(error: Mapping[str, Any], labels: FieldLabels, last: str | None) -> str:
    kind = str(error.get("type", ""))
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    hint = labels.hints.get(last or "")
    if hint and kind in _SHAPE_ERRORS:
        return hint
    templates: dict[str, str] = {
        "missing": "必须填写",
        "string_type": "应为文字",
        "string_too_short": "不能为空" if ctx.get("min_length") == 1 else "至少{min_length}个字",
        "string_too_long": "最多{max_length}个字",
        "string_pattern_mismatch": "格式不对",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数，不能有小数",
        "int_parsing_size": "数字太大",
        "float_type": "应为数字",
        "float_parsing": "应为数字",
        "decimal_parsing": "应为数字",
        "bool_type": "应为是或否（true 或 false）",
        "bool_parsing": "应为是或否（true 或 false）",
        "greater_than": "应大于{gt}",
        "greater_than_equal": "应不小于{ge}",
        "less_than": "应小于{lt}",
        "less_than_equal": "应不大于{le}",
        "too_short": "至少要有{min_length}项",
        "too_long": "最多{max_length}项",
        "date_type": "应为日期，如2026-12-03",
        "date_parsing": "应为日期，如2026-12-03",
        "date_from_datetime_parsing": "应为日期，如2026-12-03",
        "date_from_datetime_inexact": "应为日期，如2026-12-03，不带时刻",
        "datetime_type": "应为日期时间，如2026-12-03T08:00:00+08:00",
        "datetime_parsing": "应为日期时间，如2026-12-03T08:00:00+08:00",
        "uuid_type": "应为编号（UUID）",
        "uuid_parsing": "应为编号（UUID）",
        "list_type": "应为列表",
        "dict_type": "应为对象（{{…}}）",
        "model_type": "应为对象（{{…}}）",
        "model_attributes_type": "应为对象（{{…}}）",
        "extra_forbidden": "不是可以填写的项目，请删去",
        "json_invalid": "不是有效的JSON",
        "json_type": "不是有效的JSON",
        "union_tag_invalid": "类别不对",
        "union_tag_not_found": "缺少类别{discriminator}",
    }
    if kind in ("enum", "literal_error"):
        return f"应为以下之一：{_expected(ctx, labels)}"
    if kind == "value_error":
        message = str(ctx.get("zh") or error.get("msg", ""))
        return "取值不对：" + message.removeprefix("Value error, ")
    template = templates.get(kind)
    if template is None:
        return str(error.get("msg", "取值不对"))
    try:
        return template.format(**ctx)
    except (KeyError, IndexError, ValueError):
        return template


def _without_tags(loc: Sequence[str | int], body: Any) -> list[str | int]:
    """The path as a clerk names it: without the tags pydantic puts into a path through a tagged
    union (("body", "params", "per_capita", "payee"): ``per_capita`` is the value of ``params``'
    ``kind``, no field). A tag is told apart by walking the body sent: a part that is no key of the
    object reached but one of its values, with more of the path after it."""
    if not loc or loc[0] != "body":
        return list(loc)
    kept: list[str | int] = [loc[0]]
    node = body
    for i, part in enumerate(loc[1:], start=2):
        if isinstance(node, dict) and isinstance(part, str) and part not in node:
            if i < len(loc) and any(isinstance(v, str) and v == part for v in node.values()):
                continue  # the tag: the same object goes on under it
            node = None
        elif isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
        kept.append(part)
    return kept


def describe_errors(
    errors: Sequence[Mapping[str, Any]], labels: FieldLabels, language: Language, *, body: Any = None
) -> list[dict[str, str]]:
    """One entry per error: ``field`` (the dotted code path, stable), ``label`` and ``message``.
    With the ``body`` sent, the label leaves out a tagged union's tag (shown in ``field`` only)."""
    described = []
    for error in errors:
        loc = tuple(error.get("loc", ()))
        if error.get("type") in ("json_invalid", "json_type"):
            loc = loc[:1]  # ("body", 28): the character offset is not a field
        names = [p for p in loc if isinstance(p, str)]
        last = names[-1] if names else None
        label = field_label(_without_tags(loc, body), labels)
        if language == "zh":
            message = f"{label}{_message_zh(error, labels, last)}"
        else:
            message = str(error.get("msg", ""))
        described.append({"field": ".".join(str(p) for p in loc), "label": label, "message": message})
    return described
