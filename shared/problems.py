"""The catalogue of problem types and the language a problem is told in.

Every problem+json a service answers has a stable ``type`` URI (``PROBLEM_BASE`` + slug), a title
in Chinese (the default: the people at the counters are Chinese clerks) and in English (asked
for with ``Accept-Language: en``), and a line saying what the clerk should do.

Where the words live:

- a domain error class (``shared.errors.DomainError`` subclasses in ``services/*/errors.py`` and
  the services' ``rules.py``/``service.py``) carries ``title`` (English), ``title_zh``,
  ``hint_zh`` and ``hint_en`` as class attributes; a raise site may add a Chinese detail with
  ``detail_zh=...`` next to its English detail;
- the platform's own problems (validation, database refusals, 404 of an unknown path, ...) are
  ``PLATFORM_PROBLEMS`` below.

An error with no Chinese title still renders: its nearest ancestor's Chinese title is used
(``冲突``, ``未找到``...) and the English detail is kept. ``docs/PROBLEMS.md`` is generated from
``catalogue()`` (``python -m tests.deploy.problems_doc``); a test fails when it is out of date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from shared.errors import DomainError

__all__ = [
    "PLATFORM_PROBLEMS",
    "Language",
    "ProblemType",
    "catalogue",
    "negotiate_language",
    "platform_problem",
    "render_markdown",
]

Language = Literal["zh", "en"]


def negotiate_language(accept_language: str | None) -> Language:
    """Chinese unless the client prefers English (RFC 9110 §12.5.4 q-values; ``*`` means Chinese)."""
    if not accept_language:
        return "zh"
    best: tuple[float, int, Language] | None = None
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        primary = tag.split("-")[0]
        lang: Language | None = "en" if primary == "en" else "zh" if primary in ("zh", "*") else None
        if lang is None:
            continue
        # Highest q wins; on a tie the one listed first.
        if best is None or q > best[0] or (q == best[0] and position < best[1]):
            best = (q, position, lang)
    return best[2] if best else "zh"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title_en: str
    title_zh: str | None
    hint_zh: str | None = None  # what the clerk should do
    hint_en: str | None = None
    raised_by: tuple[str, ...] = ()

    def title(self, language: Language) -> str:
        return (self.title_zh or self.title_en) if language == "zh" else self.title_en

    def hint(self, language: Language) -> str | None:
        return self.hint_zh if language == "zh" else self.hint_en


_P = ProblemType
# The problems the platform answers itself (shared/errors.py handlers, shared/*.py).
PLATFORM_PROBLEMS: tuple[ProblemType, ...] = (
    _P(
        "validation-error",
        422,
        "The request is malformed",
        "提交的内容有误",
        "按 errors 中列出的每一项改正后重新提交",
        "Fix each field listed in errors and send again",
    ),
    _P(
        "text-not-storable",
        422,
        "Text that cannot be stored",
        "文字中含有无法保存的字符",
        "删去文字中的空字符（\\u0000）或乱码后重新提交",
        "Remove NUL characters or bytes that are not text and send again",
    ),
    _P(
        "value-out-of-range",
        422,
        "A value cannot be stored",
        "数值超出可保存的范围",
        "检查数字、日期和文字的长度是否超出范围（整数最大2147483647）后重新提交",
        "Check numbers, dates and text lengths against the field's range",
    ),
    _P(
        "conflicts-with-recorded-data",
        409,
        "Conflict with recorded data",
        "与已登记的数据冲突",
        "这会重复或破坏已登记的数据，未作任何保存；先查询已有记录",
        "Nothing was saved; look up the record already there",
    ),
    _P(
        "try-again",
        503,
        "Busy, try again",
        "系统繁忙，请重试",
        "同一时刻有其他人修改了相同的记录，未作任何保存；稍后原样重新提交",
        "Nothing was saved; send the same request again",
    ),
    _P(
        "database-unavailable",
        503,
        "Database unavailable, try again",
        "数据库暂时无法连接，请稍后重试",
        "连接若在保存时中断，无法确定是否已保存：请在 Retry-After 所示的秒数后用同一个 Idempotency-Key "
        "原样重新提交——如已保存，返回当时保存的结果，不会重复记录；如未保存，这次即完成保存。"
        "未带 Idempotency-Key 的，请先查询是否已保存，再决定是否重新录入",
        "If the connection dropped while saving, it may or may not have been saved: after Retry-After "
        "seconds send the same request again with the same Idempotency-Key (if it was saved, the saved "
        "answer comes back and nothing is recorded twice; if not, it is saved then). Without an "
        "Idempotency-Key, check whether it was saved before entering it again",
    ),
    _P(
        "internal-error",
        500,
        "Internal error",
        "系统内部错误",
        "未作任何保存；请重试，仍不成功请把请求编号（X-Request-ID）报给运维人员",
        "Nothing was saved; try again or report the request id",
    ),
    _P(
        "not-found",
        404,
        "Not found",
        "未找到",
        "检查地址或编号是否正确，且在您的辖区内",
        "Check the address or id",
    ),
    _P(
        "method-not-allowed",
        405,
        "Method not allowed",
        "不支持这种请求方式",
        "按接口文档使用正确的请求方式（GET、POST 等）",
        "Use the method the API documents",
    ),
    _P(
        "http-error",
        400,
        "Bad request",
        "请求有误",
        "按接口文档检查请求",
        "Check the request against the API",
    ),
)
_PLATFORM = {p.slug: p for p in PLATFORM_PROBLEMS}


def platform_problem(slug: str) -> ProblemType | None:
    return _PLATFORM.get(slug)


def catalogue() -> list[ProblemType]:
    """Every problem type known in this process: the platform's and every imported DomainError."""
    from shared.errors import DomainError

    by_slug: dict[str, ProblemType] = dict(_PLATFORM)
    raisers: dict[str, set[str]] = {}
    # Sorted, so a slug raised from several modules is always described by the same class,
    # whatever the import order.
    for cls in sorted(_subclasses(DomainError), key=lambda c: (c.__module__, c.__qualname__)):
        if cls.__name__.startswith("_") or not cls.__module__.startswith(("services.", "shared.")):
            continue  # internal signals (idempotent replay), classes of tests
        slug = cls.type_slug
        raisers.setdefault(slug, set()).add(cls.__module__)
        if slug in by_slug:
            continue
        own = cls.__dict__
        by_slug[slug] = ProblemType(
            slug,
            cls.status,
            cls.title,
            own.get("title_zh"),
            own.get("hint_zh"),
            own.get("hint_en"),
        )
    result = []
    for slug in sorted(by_slug):
        p = by_slug[slug]
        result.append(
            ProblemType(
                p.slug,
                p.status,
                p.title_en,
                p.title_zh,
                p.hint_zh,
                p.hint_en,
                tuple(sorted(raisers.get(slug, ()))),
            )
        )
    return result


def _subclasses(cls: type[DomainError]) -> Iterable[type[DomainError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def render_markdown(problems: Iterable[ProblemType], base: str) -> str:
    lines = [
        "# 问题类型目录 / Problem types",
        "",
        "<!-- Generated from shared/problems.py catalogue() by `python -m tests.deploy.problems_doc`;"
        " do not edit by hand. -->",
        "",
        "每个错误都以 `application/problem+json`（RFC 9457）返回：`type` 是下表中稳定不变的地址，"
        "`title` 和 `detail` 默认用中文，请求头 `Accept-Language: en` 时用英文。",
        "Every error is `application/problem+json`; `title` and `detail` are Chinese by default and "
        "English with `Accept-Language: en`. The `type` URI below never changes.",
        "",
        "标有“（待译）”的类型还没有中文标题，暂以上一级类型的中文标题显示。"
        "补译方法：在该错误类上加 `title_zh`、`hint_zh`（办事人员该怎么做）和 `hint_en`，"
        "再运行上面的命令重新生成本文件。",
        "",
        "| type | 状态码 Status | 中文标题 | English title | 办事人员该怎么做 / What to do |",
        "|---|---|---|---|---|",
    ]
    for p in problems:
        zh = p.title_zh or "（待译）"
        hint = " / ".join(h for h in (p.hint_zh, p.hint_en) if h) or ""
        lines.append(f"| `{base}{p.slug}` | {p.status} | {zh} | {p.title_en} | {_cell(hint)} |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
