"""Answers shaped from rows: an API model whose fields are, by name, a row's attributes.

``from_row(ComplaintOut, c, overdue=...)`` reads every field of ``ComplaintOut`` from ``c`` except
the ones given (values the row does not hold: worked out on the day, joined in, or renamed), so
an answer lists only what it adds to its row, and a field added to both is carried without a
new line. The rules' plain dataclasses read from a row the same way (``from_row(rules.Helper, h,
id=str(h.id))``): a rule's view of the row names only what it turns into another type.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["from_row"]

M = TypeVar("M")


def from_row(model: type[M], row: object, /, **given: Any) -> M:
    """``model`` (a pydantic model or a dataclass) with each field taken from ``given`` if there,
    else from ``row``'s attribute of that name (a field the row lacks is an AttributeError, a given
    name the model lacks a TypeError). ``model`` and ``row`` are positional only, so a field may be
    named ``row`` (an import's rows)."""
    names = model.model_fields.keys() if issubclass(model, BaseModel) else _dataclass_fields(model)
    unknown = given.keys() - names
    if unknown:
        raise TypeError(f"{model.__name__} has no field {', '.join(sorted(unknown))}")
    values = {name: given[name] if name in given else getattr(row, name) for name in names}
    return model.model_validate(values) if issubclass(model, BaseModel) else model(**values)


def _dataclass_fields(model: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(model)]
