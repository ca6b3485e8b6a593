"""Set-based INSERTs with one array parameter per column: ``INSERT … SELECT … FROM unnest(…)``.

A multi-row ``VALUES`` of n rows binds n × columns parameters, each processed one by one in Python
(SQLAlchemy's ``insertmanyvalues``), and its SQL text changes with n. Here each column is one
array, encoded by asyncpg, and the statement is the same whatever n: one prepared statement for
every batch. Rows are inserted in the order given (``WITH ORDINALITY``), so serial ids follow it.
Column defaults apply as to a multi-row ``VALUES``: scalar and SQL ones by ``from_select``, a
Python callable (``default=uuid.uuid4``) once per row.

For repositories and platform tables (the statement is built here, executed by the caller)::

    stmt, params = unnest_insert(table, rows)
    await session.execute(stmt.on_conflict_do_nothing().returning(table.c.id), params)
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Dialect, Table, TypeDecorator, any_, bindparam, column, func, select
from sqlalchemy.dialects.postgresql import ARRAY, Insert, insert
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.types import TypeEngine

__all__ = ["Array", "any_of", "unnest_insert", "unnest_params"]


class Array(TypeDecorator[list[Any]]):
    """``ARRAY`` parameter of a flat list: each item goes through its type's own processing (a JSON
    value serialized, whatever it holds: a JSON list is one item, not a nested dimension as
    ``ARRAY`` would read it); items asyncpg encodes itself (uuid, text, dates) are not copied."""

    impl = ARRAY
    cache_ok = True

    def __init__(self, item_type: TypeEngine[Any]) -> None:
        super().__init__(item_type)

    def bind_processor(self, dialect: Dialect) -> Any:
        array = self.impl_instance
        assert isinstance(array, ARRAY)
        item = array.item_type.dialect_impl(dialect).bind_processor(dialect)
        if item is None:
            return None
        return lambda values: None if values is None else [item(v) for v in values]


def any_of(col: ColumnElement[Any] | QueryableAttribute[Any], name: str) -> ColumnElement[bool]:
    """``col = ANY(:name)``: one array parameter, where ``in_`` expands one parameter per value
    (and the SQL text changes with their number)."""
    return col == any_(bindparam(name, type_=Array(col.type)))


def unnest_insert(
    table: Table, rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None
) -> tuple[Insert, dict[str, list[Any]]]:
    """The INSERT of ``rows`` (each with every one of ``columns``, default: the first row's keys)
    into ``table``, and its parameters."""
    names = list(columns if columns is not None else rows[0])
    params = unnest_params(rows, names)
    for col in table.c:  # a Python callable default runs per row, as for a multi-row VALUES
        default = col.default
        if col.name not in names and default is not None and getattr(default, "is_callable", False):
            names.append(col.name)
            params[f"a_{col.name}"] = [default.arg(None) for _ in rows]  # type: ignore[attr-defined]
    return _unnest_statement(table, tuple(names)), params


@functools.lru_cache(maxsize=256)
def _unnest_statement(table: Table, names: tuple[str, ...]) -> Insert:
    """Built once per table and columns: the same statement object every time, so SQLAlchemy's
    cache key is computed once too (building and keying it was most of an audit row's CPU)."""
    types = [table.c[n].type for n in names]
    arrays = [bindparam(f"a_{n}", type_=Array(t)) for n, t in zip(names, types, strict=True)]
    rowset = (
        func.unnest(*arrays)
        .table_valued(*[column(n, t) for n, t in zip(names, types, strict=True)], with_ordinality="ord")
        .render_derived()
    )
    rows = select(*[rowset.c[n] for n in names]).order_by(rowset.c.ord)
    return insert(table).from_select(list(names), rows)


def unnest_params(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> dict[str, list[Any]]:
    """The parameters of :func:`unnest_insert`'s statement for ``rows``: a caller that builds the
    statement once (for its columns) gives each batch's rows with these."""
    return {f"a_{n}": [row[n] for row in rows] for n in columns}
