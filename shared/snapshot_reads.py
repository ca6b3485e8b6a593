"""The reads of a service's snapshot section (``shared.snapshot.Section.rows``): the named columns of
one table's rows under an area prefix, in key order.

A section is a table and the columns it may show, so a service lists them as data: free text that
may name people is left out by not naming it. A column called ``kind`` is renamed (the line's own
key is ``kind``): ``renamed={"kind": "dossier_kind"}``.

    dossiers = area_rows(SignoffDossier, ("id", "kind", "status"), renamed={"kind": "dossier_kind"})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

if TYPE_CHECKING:
    from shared.snapshot import AnySelect

__all__ = ["area_rows"]


def area_rows(
    model: Any,
    columns: Sequence[str],
    *,
    key: str = "id",
    renamed: Mapping[str, str] | None = None,
) -> Callable[[str], AnySelect]:
    """The ``rows`` of a section: ``columns`` of ``model`` whose ``area_code`` lies under the prefix,
    ordered by ``key``; ``renamed`` labels a column (old name -> name in the line)."""
    labels = dict(renamed or {})
    selected = [
        getattr(model, name).label(labels[name]) if name in labels else getattr(model, name)
        for name in columns
    ]

    def rows(prefix: str) -> AnySelect:
        return (
            select(*selected)
            .where(model.area_code.startswith(prefix, autoescape=True))
            .order_by(getattr(model, key))
        )

    return rows
