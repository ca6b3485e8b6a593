"""Code lists that also speak Chinese: every member has a stable code and the label a form prints.

    class PovertyCause(Labelled):
        ILLNESS = "illness", "因病"

A request may send either (``"因病"`` or ``"illness"``; pydantic asks ``_missing_`` for a value
that is not a code); the stored and returned value is the code, and ``member.label`` the Chinese.
Each service serves its lists at ``GET /<svc>/v1/vocabulary`` (``vocabulary_router``), so a form
can offer the same drop-downs the API accepts. A value a use case must find in one list (a
category, a severity, a verdict) is checked by a ``Choice`` of that list, which words the refusal:

    CATEGORY = Choice(FINDING_CATEGORIES, "category", "问题类别“{value}”不对，请从问题类别中选择")
    rules.CATEGORY.check(data.category)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any, Literal, Self, TypeVar, cast

from fastapi import APIRouter
from pydantic import BaseModel, ValidationError, ValidatorFunctionWrapHandler, WrapValidator, computed_field
from pydantic_core import PydanticCustomError

from shared.errors import InvalidInput

__all__ = [
    "Choice",
    "CodeList",
    "CodeLists",
    "Labelled",
    "Vocabulary",
    "VocabularyList",
    "VocabularyOut",
    "code_labels",
    "code_or_label",
    "label_field",
    "label_of",
    "labels_field",
    "labels_of",
    "one_of_zh",
    "vocabularies",
    "vocabulary_router",
]


class Labelled(StrEnum):
    """A StrEnum whose members are ``CODE = "code", "中文标签"`` (or ``CODE = "code"``, the labels
    taken from the service's ``vocabulary.json`` by :meth:`CodeLists.labels`) and accept their label
    on input."""

    label: str

    def __new__(cls, value: str, label: str = "") -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            wanted = value.strip()
            for member in cls:
                if wanted in (member.label, member.value):
                    return member
        return None


class CodeList(dict[str, str]):
    """Plain code → label pairs (no enum) that carry their list's name and title, so a list is
    declared once: the constant the code reads (``SEVERITIES["high"]``) is the list the service
    serves (``vocabularies(SEVERITIES, ...)``)."""

    def __init__(self, name: str, title: str, pairs: Mapping[str, str]) -> None:
        super().__init__(pairs)
        self.name = name
        self.title = title


E = TypeVar("E", bound=Labelled)


class CodeLists(dict[str, CodeList]):
    """A service's code lists as data, loaded once from the ``vocabulary.json`` beside its modules
    (each list's name → its ``title`` and its ``labels``, code → label). A Labelled enum takes its
    labels from its list, so its class names only the codes the code reads::

        @LISTS.labels("poverty_cause")
        class PovertyCause(Labelled):
            ILLNESS = "illness"
    """

    @classmethod
    def load(cls, package: str) -> CodeLists:
        text = resources.files(package).joinpath("vocabulary.json").read_text(encoding="utf-8")
        return cls({name: CodeList(name, v["title"], v["labels"]) for name, v in json.loads(text).items()})

    def labels(self, name: str) -> Callable[[type[E]], type[E]]:
        """A class decorator: the enum's members take their labels from list ``name``, which must
        hold the same codes in the same order (checked on import)."""
        pairs = self[name]

        def labelled(enum: type[E]) -> type[E]:
            codes = [member.value for member in enum]
            if codes != list(pairs):
                raise ValueError(f"{enum.__name__} has the codes {codes}, list {name!r} {list(pairs)}")
            for member in enum:
                member.label = pairs[member.value]
            return enum

        return labelled

    def members(self, name: str) -> Callable[[type[E]], type[E]]:
        """A class decorator for a list whose codes the code never names: the enum's members are the
        list's codes in its order (each named by its code in capitals), so its class states only which
        list it is::

            @LISTS.members("sex")
            class Sex(Labelled):
                pass
        """
        pairs = self[name]

        def made(declared: type[E]) -> type[E]:
            if [*declared]:
                raise ValueError(f"{declared.__name__} names codes: use labels({name!r})")
            members = [(code.upper(), (code, label)) for code, label in pairs.items()]
            enum = declared.__base__(  # type: ignore[misc]  # the functional API: Enum(name, members)
                declared.__name__, members, module=declared.__module__, qualname=declared.__qualname__
            )
            enum.__doc__ = declared.__doc__
            return cast(type[E], enum)

        return made


@dataclass(frozen=True)
class Choice:
    """A value that must be one of a closed list's codes: 422 otherwise, with the codes in
    ``allowed`` so a form can offer them. ``what`` names the list in English ("Unknown <what>
    '<value>'."), ``detail_zh`` is the Chinese sentence, ``{value}`` standing for the value given."""

    allowed: Collection[str]
    what: str
    detail_zh: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "allowed", tuple(self.allowed))  # the codes, in the list's order

    def check(self, value: str) -> None:
        if value not in self.allowed:
            detail_zh = self.detail_zh.format(value=value)
            allowed = list(self.allowed)
            raise InvalidInput(f"Unknown {self.what} {value!r}.", detail_zh=detail_zh, allowed=allowed)


def one_of_zh(pairs: Mapping[str, str]) -> str:
    """The labels a clerk may pick, quoted (a label may itself hold 、): 应为以下之一：“a”、“b”."""
    return "应为以下之一：" + "、".join(f"“{label}”" for label in pairs.values())


class Vocabulary:
    """One named list: a Labelled enum, or plain code → label pairs (e.g. policy batch codes)."""

    def __init__(self, name: str, title: str, values: type[Labelled] | Mapping[str, str]) -> None:
        self.name = name
        self.title = title
        if isinstance(values, Mapping):
            self.pairs = dict(values)
        else:
            self.pairs = {m.value: m.label for m in values}

    @classmethod
    def of(cls, values: type[Labelled], title: str, *, name: str = "") -> Vocabulary:
        """An enum's list, named after the enum (``PovertyCause`` → ``poverty_cause``) unless ``name``."""
        return cls(name or _snake(values.__name__), title, values)


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() and i else c.lower() for i, c in enumerate(name))


def vocabularies(*lists: Vocabulary | CodeList) -> tuple[Vocabulary, ...]:
    """A service's lists in the order its ``/vocabulary`` serves them."""
    return tuple(v if isinstance(v, Vocabulary) else Vocabulary(v.name, v.title, v) for v in lists)


class VocabularyValue(BaseModel):
    code: str
    label: str


class VocabularyList(BaseModel):
    name: str
    title: str
    values: list[VocabularyValue]


class VocabularyOut(BaseModel):
    """Every closed list this service accepts; send either the code or the label."""

    lists: list[VocabularyList]


def vocabulary_router(vocabularies: Iterable[Vocabulary]) -> APIRouter:
    lists = [
        VocabularyList(
            name=v.name,
            title=v.title,
            values=[VocabularyValue(code=c, label=label) for c, label in v.pairs.items()],
        )
        for v in vocabularies
    ]
    router = APIRouter(tags=["vocabulary"])

    @router.get("/vocabulary", response_model=VocabularyOut)
    async def vocabulary() -> VocabularyOut:
        """The code lists (致贫原因, 与户主关系 ...) with their Chinese labels; no login needed."""
        return VocabularyOut(lists=lists)

    return router


def code_labels(vocabularies: Iterable[Vocabulary]) -> dict[str, str]:
    """code → label over all lists (for validation messages: "应为以下之一：因病、因残…")."""
    merged: dict[str, str] = {}
    for v in vocabularies:
        for code, label in v.pairs.items():
            merged.setdefault(code, label)
    return merged


def label_of(code: str | None, labels: Mapping[str, str]) -> str | None:
    return None if code is None else labels.get(code, code)


def labels_of(codes: Iterable[str] | None, labels: Mapping[str, str]) -> list[str]:
    return [labels.get(c, c) for c in codes or ()]


def label_field(code: str, labels: Mapping[str, str]) -> Any:
    """A response's read-only Chinese of the code in its field ``code``, served next to the code::

        relation_label: ClassVar[str | None] = label_field("relation", CODE_LABELS)

    (``ClassVar`` only tells the type checker it is no input field; pydantic serialises and documents
    it as a computed field, as if written with ``@computed_field`` over a property.)"""
    return computed_field(return_type=str | None)(
        property(lambda model: label_of(getattr(model, code), labels))
    )


def labels_field(codes: str, labels: Mapping[str, str]) -> Any:
    """The same for a field that holds a list of codes: the list of their labels (``ClassVar[list[str]]``)."""
    return computed_field(return_type=list[str])(
        property(lambda model: labels_of(getattr(model, codes), labels))
    )


def code_or_label(labels: Mapping[str, str]) -> WrapValidator:
    """For a ``str`` or ``Literal`` field of a code list: ``Annotated[str, code_or_label(SEVERITIES)]``
    turns a Chinese label into its code before validation; anything else is validated as sent.
    A ``Literal`` that refuses the value names the list in its own words (``ctx["labels"]``): two
    lists of a service may give one code different words (an area exit's ``pending`` is 待核验, an
    import row's 待校验), so the service-wide code labels would name the wrong ones."""
    codes = {label: code for code, label in labels.items()}

    def to_code(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        value = codes.get(value.strip(), value) if isinstance(value, str) else value
        try:
            return handler(value)
        except ValidationError as refused:
            errors = refused.errors()
            if len(errors) != 1 or errors[0]["type"] != "literal_error" or errors[0]["loc"]:
                raise
            expected = errors[0].get("ctx", {}).get("expected", "")
            words = "、".join(labels.get(code, code) for code in re.findall(r"'([^']*)'", expected))
            raise PydanticCustomError(
                "literal_error", "Input should be {expected}", {"expected": expected, "labels": words}
            ) from None

    # The document lists what is taken: every code, then every label (a client may send either).
    taken = [*labels, *(label for label in labels.values() if label not in labels)]
    return WrapValidator(to_code, json_schema_input_type=Literal[tuple(taken)])
