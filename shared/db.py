"""Database access: one async engine per service database; the request owns the transaction.

Routes take ``SessionDep``: the session is opened in a transaction before the route runs and
committed right after it returns (before the response is sent), or rolled back on any error.
Services and repositories ``flush()``; they never ``commit()``.
"""

from __future__ import annotations

import asyncio
import functools
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, NoReturn, cast
from weakref import WeakKeyDictionary

from asyncpg.exceptions import InternalClientError
from fastapi import Depends, Request
from greenlet import getcurrent, greenlet
from sqlalchemy import Executable, MetaData, Select, event, exc, text
from sqlalchemy.engine import Connection, CursorResult, Dialect, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry, ManagesConnection, Pool, PoolProxiedConnection, QueuePool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.selectable import HasCTE

from shared import tracing
from shared.tracing import instrument_engine

__all__ = [
    "NAMING_CONVENTION",
    "Database",
    "ReadSessionDep",
    "SessionDep",
    "like_prefix",
    "make_metadata",
    "read_rows",
    "Write",
    "to_async_url",
    "to_sync_url",
    "write_rows",
    "write_together",
]

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata() -> MetaData:
    """A fresh MetaData per service (each service owns its own database and Alembic history)."""
    return MetaData(naming_convention=NAMING_CONVENTION)


def to_async_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def to_sync_url(url: str) -> str:
    """asyncpg-free URL for tools that speak libpq (psql, pg_dump)."""
    return url.replace("postgresql+asyncpg://", "postgresql://")


# Pooled connections older than this are replaced (connections cut silently by a firewall or
# a proxy's idle timeout, which no local check can see).
POOL_RECYCLE_S = 1800


def _discard_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """At checkout, without a round trip: a connection whose socket the server closed (a restart,
    ``pg_terminate_backend``) is replaced by a fresh one instead of failing the request.

    asyncpg notices a closed socket on its own (the event loop reads the EOF), so ``is_closed()``
    is a local check. This replaces ``pool_pre_ping``, which cost a ``SELECT 1`` round trip on
    every checkout (a third of a household card's round trips). A connection that dies *during* a
    statement still fails that request (503), and SQLAlchemy then invalidates the whole pool.
    """
    raw = getattr(dbapi_connection, "_connection", None)
    if raw is not None and raw.is_closed():
        raise exc.DisconnectionError("connection closed by the server")


class Database:
    def __init__(self, url: str, *, pool_size: int = 10, echo: bool = False) -> None:
        self.url = to_async_url(url)
        # Up to 2 x pool_size connections (the budget deploy/k8s/postgres.yaml reserves), each
        # opened on first need and then kept: "overflow" connections above pool_size were closed
        # on return and reopened by the next burst, and a fresh connection pays a connect and a
        # prepare of every statement (a tenth of a card read's time under 64 clients).
        self.engine: AsyncEngine = create_async_engine(
            self.url,
            pool_size=2 * pool_size,
            max_overflow=0,
            pool_recycle=POOL_RECYCLE_S,
            echo=echo,
            # errors and logs name the statement, never the values it was sent with (personal data)
            hide_parameters=True,
        )
        event.listen(self.engine.sync_engine.pool, "checkout", _discard_closed)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # Reads without BEGIN/COMMIT (same pool): see ReadSessionDep.
        self.read_sessionmaker = async_sessionmaker(
            self.engine.execution_options(isolation_level="AUTOCOMMIT"),
            expire_on_commit=False,
            autoflush=False,  # nothing to flush: no check before every statement
            sync_session_class=_ReadOnlySession,
        )
        # Read sessions back from a read as new (_Reading), for the next: building one (its ORM
        # session, identity map, proxies) cost more than a card read's own statement.
        self._spare_reads: list[AsyncSession] = []
        instrument_engine(self.engine)  # SQL spans when tracing is on; nothing otherwise

    def reading(self) -> _Reading:
        """``async with db.reading() as session``: a ``ReadSessionDep`` session opened by the route
        itself, for the hottest reads (a card, a list page), without the cost of a generator
        dependency (its exit stack, a tenth of a card read's framework time)."""
        spares = self._spare_reads
        return _Reading(spares.pop() if spares else self.read_sessionmaker(), spares)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work outside a request (consumers, relays, jobs, demo loaders)."""
        async with self.sessionmaker() as session, session.begin():
            yield session

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.sessionmaker() as session, session.begin():
        yield session


class _ReadOnlySession(Session):
    """A session of ReadSessionDep: it refuses to flush changes (there is no transaction to undo them)."""

    def flush(self, objects: Any = None) -> None:
        if not self._is_clean():
            raise RuntimeError("a read-only session (ReadSessionDep) cannot write: use SessionDep")
        super().flush(objects)


# Read sessions kept for later reads: as many as reads run at once (a pool's worth) is plenty.
SPARE_READ_SESSIONS = 64


class _Reading:
    """A read session, closed on exit only if it was used: a read of ``read_rows`` alone never
    begins it (no connection, no objects held), and closing it would only cost a greenlet hop.
    Then it is as new (SQLAlchemy: a closed session "may be used again", with nothing of its past
    uses) and goes back to ``spares`` for the next read."""

    __slots__ = ("session", "spares")

    def __init__(self, session: AsyncSession, spares: list[AsyncSession]) -> None:
        self.session = session
        self.spares = spares

    async def __aenter__(self) -> AsyncSession:
        return self.session

    async def __aexit__(self, *_exc: object) -> None:
        session = self.session
        if session.in_transaction() or session.identity_map or session.sync_session._new:
            await session.close()
        if len(self.spares) < SPARE_READ_SESSIONS:
            self.spares.append(session)


async def _read_session(request: Request) -> AsyncIterator[AsyncSession]:
    db: Database = request.app.state.db
    async with db.reading() as session:
        yield session


# scope="function": commit happens when the route returns, before the response goes out, so a
# failed commit becomes an error response instead of a 200 for something that was not saved.
SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]

# For routes that only read (a card, a list page, a roll-up): each statement runs on its own, with
# no BEGIN and COMMIT round trips around them (a third of a card read's round trips). Under READ
# COMMITTED every statement of a transaction sees the latest commits anyway, so what a read
# returns is the same. Never for a route that writes, locks, audits or sets anything LOCAL.
ReadSessionDep = Annotated[AsyncSession, Depends(_read_session, scope="function")]


class _Compiled:
    """A statement as asyncpg takes it: its SQL (``$n`` placeholders) and its parameters' names."""

    __slots__ = ("names", "sql", "values")

    def __init__(self, stmt: Select[*tuple[Any, ...]], dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        # the bound parameters' names in placeholder order ($1, $2, …: asyncpg's paramstyle)
        self.names: Sequence[str] = tuple(getattr(compiled, "positiontup", None) or ())
        self.values = compiled.params  # the statement's own values (``level == "village"``)


_COMPILED: WeakKeyDictionary[Select[*tuple[Any, ...]], _Compiled] = WeakKeyDictionary()


async def read_rows(
    session: AsyncSession, stmt: Select[*tuple[Any, ...]], params: Mapping[str, Any]
) -> list[Any]:
    """Rows of a read, run on the session's own asyncpg connection (asyncpg records, read
    by column name): a read session's hot reads, and a write transaction's reads, which run in
    that transaction (from its first statement on, as :func:`write_rows` does).

    ``stmt`` is built once (module level or cached) and compiled here once; asyncpg keeps its
    prepared statement per connection. SQLAlchemy's per-statement machinery (cache key, execution
    context, result metadata, the greenlet hop) cost several times the statement's own CPU on a
    card read. What asyncpg returns is used as is: its types (UUID, date, lists, JSON decoded by
    the codec SQLAlchemy installed on the connection), no SQLAlchemy result processors — so only
    for statements whose columns need none (no Enum or custom types read back). With tracing on,
    through ``session.execute`` (rows read by name alike), so the SQL spans are still made."""
    compiled = _COMPILED.get(stmt)
    if compiled is None:
        compiled = _COMPILED[stmt] = _Compiled(stmt, session.get_bind().dialect)
    if tracing.enabled() or _unsaved(session):
        # through SQLAlchemy: its engine events make the SQL spans, its autoflush writes what the
        # session holds unsaved first (a write transaction's reads see its own changes)
        return list((await session.execute(stmt, params)).mappings())
    values = {**compiled.values, **params}
    args = [values[name] for name in compiled.names]
    engine = session.bind
    if session.in_transaction() or not isinstance(engine, AsyncEngine):
        # the session's transaction (a write's, or an earlier statement's): its connection, never a
        # second, and in it from its first statement on (the transaction begun as write_rows does)
        raw = await _transaction_connection(session)
        return await _fetch(raw, session.get_bind(), compiled.sql, args, session)
    # Nothing ran on the session yet: a connection from the pool for this statement alone, without
    # the session's transaction bookkeeping around it (a tenth of a card read's CPU). Under no
    # transaction, as a ReadSessionDep's statements are.
    sync_engine = engine.sync_engine
    pool = sync_engine.pool
    lent = _lend(pool)
    if lent is not None:
        try:
            return await _fetch(lent, sync_engine, compiled.sql, args)
        finally:
            pool._return_conn(lent)  # nothing begun on it: nothing to roll back
    raw = await in_greenlet(sync_engine.raw_connection)  # AsyncEngine.raw_connection's
    try:
        return await _fetch(raw, sync_engine, compiled.sql, args)
    finally:
        if getattr(raw.dbapi_connection, "_transaction", True) is None:
            # No transaction on it (the statement ran on the driver alone): its checkin's rollback
            # does nothing and nothing in it awaits, so no greenlet is needed to run it.
            raw.close()
        else:
            await in_greenlet(raw.close)  # back to the pool (its checkin may need to await)


async def _fetch(
    raw: ManagesConnection,
    bind: Engine | Connection,
    sql: str,
    args: list[Any],
    session: AsyncSession | None = None,
) -> list[Any]:
    """The rows of ``sql`` run on ``raw``'s driver; a connection it finds gone is dropped and the
    error raised as SQLAlchemy raises it (:func:`_failed`), any other error as the driver raised it."""
    try:
        return list(await _driver(raw).fetch(sql, *args))
    except Exception as error:
        if _gone(raw, error):
            await _failed(raw, bind, sql, args, error, session)
        raise


def _unsaved(session: AsyncSession) -> bool:
    """``session.new or session.dirty or session.deleted``, without building those sets when the
    session holds no object at all (every hot read's): only a pending object (``_new``) is held
    outside the identity map, and a dirty or deleted one is in it."""
    sync = session.sync_session
    if not sync.identity_map and not sync._new:
        return False
    return bool(sync.new or sync.dirty or sync.deleted)


def _lend(pool: Pool) -> ConnectionPoolEntry | None:
    """An idle pooled connection for one statement of ``read_rows``, taken as SQLAlchemy's checkout
    would hand it out, without the checkout's proxy around it: back to the pool right after
    (``pool._return_conn``). SQLAlchemy's checkout and checkin of a proxy (its weakref finalizer,
    the checkout event, the rollback on return, the greenlet it runs in) cost a twentieth of a card
    read's CPU; a connection that ran one statement outside a transaction needs none of it.

    None — SQLAlchemy's own checkout — when no connection is idle (it opens one, or waits for one,
    as before), when the idle one would not be handed out as it is (closed by the server, which is
    what :func:`_discard_closed` checks at checkout; past ``POOL_RECYCLE_S``; invalidated: it is put
    back for the checkout to replace), or when the pool has listeners beyond Database's own (a
    test's, tracing's), which only the checkout calls."""
    queue = getattr(getattr(pool, "_pool", None), "_queue", None)
    if not isinstance(queue, asyncio.Queue) or not isinstance(pool, QueuePool):
        return None
    events = pool.dispatch
    if len(events.checkout) != 1 or events.checkin or events.reset:
        return None
    try:
        record: Any = queue.get_nowait()
    except asyncio.QueueEmpty:
        return None
    driver = record.driver_connection
    if (
        driver is None
        or driver.is_closed()
        or record._is_hard_or_soft_invalidated()
        or (pool._recycle > -1 and time.time() - record.starttime > pool._recycle)
    ):
        queue.put_nowait(record)
        return None
    return cast(ConnectionPoolEntry, record)


class _Runner(greenlet):  # type: ignore[misc]  # greenlet's class is untyped
    """A greenlet that runs one SQLAlchemy sync call after another (``in_greenlet``), where
    SQLAlchemy's ``greenlet_spawn`` makes a new greenlet for every call: a new greenlet's first
    Python frame maps fresh memory for its frame stack (an mmap, page faults and a munmap when it
    ends), 8 µs of CPU a call here, against 1 µs for a switch into a kept one. The attribute below
    is what SQLAlchemy's ``await_`` asks of the greenlet it runs in."""

    __sqlalchemy_greenlet_provider__ = True

    def __init__(self, driver: greenlet) -> None:
        super().__init__(self._serve, driver)

    def _serve(self, fn: Callable[[], Any]) -> None:
        while True:  # ends when the greenlet is collected (GreenletExit raised in the switch)
            try:
                outcome = _Outcome(fn(), None)
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, which raises it
                outcome = _Outcome(None, exc)
            fn = self.parent.switch(outcome)


class _Outcome:
    __slots__ = ("error", "value")

    def __init__(self, value: Any, error: BaseException | None) -> None:
        self.value = value
        self.error = error


_RUNNERS = threading.local()  # each thread's idle runners (a greenlet switches within its thread)
# Runners kept idle: one for each checkout in flight at once, and they are many under load (every
# request waiting for a pooled connection waits in one). Past this, a runner is ended, not dropped:
# a dropped one, suspended, is a reference cycle left to the cycle collector, and they piled up.
_IDLE_RUNNERS = 256


async def in_greenlet(fn: Callable[[], Any]) -> Any:
    """``await greenlet_spawn(fn)`` on a kept greenlet: ``fn`` runs until it awaits (SQLAlchemy's
    ``await_``), the awaitable is awaited here and its result (or error, a cancellation too) sent
    back into ``fn``, until it returns or raises; the same contextvars as the caller."""
    driver = getcurrent()
    idle: list[_Runner] = _RUNNERS.__dict__.setdefault("idle", [])
    runner = idle.pop() if idle else None
    if runner is None or runner.parent is not driver:
        runner = _Runner(driver)
    runner.gr_context = driver.gr_context
    result = runner.switch(fn)
    while not isinstance(result, _Outcome):
        try:
            value = await result
        except BaseException:
            result = runner.throw(*sys.exc_info())
        else:
            result = runner.switch(value)
    if len(idle) < _IDLE_RUNNERS:
        idle.append(runner)
    else:
        runner.throw()  # GreenletExit at its switch: it returns, and is freed with its last reference
    if result.error is not None:
        raise result.error
    return result.value


class _CompiledWrite:
    """A write as asyncpg takes it (as :class:`_Compiled`), with SQLAlchemy's bind processors of its
    parameters (a JSON value serialized, an array's items), applied as its execution would."""

    __slots__ = ("names", "needs_orm", "processors", "sql", "values")

    def __init__(self, stmt: Executable, dialect: Dialect) -> None:
        compiled = cast(ClauseElement, stmt).compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        self.sql = str(compiled)
        self.names: Sequence[str] = tuple(compiled.positiontup or ())
        self.values = compiled.params
        processors: Any = compiled._bind_processors  # what SQLAlchemy applies per execution
        self.processors = tuple((i, processors[n]) for i, n in enumerate(self.names) if n in processors)
        # Python-side column defaults are computed by SQLAlchemy's execution context per row
        self.needs_orm = bool(compiled.insert_prefetch or compiled.update_prefetch)


_WRITES: WeakKeyDictionary[Executable, _CompiledWrite] = WeakKeyDictionary()


async def write_rows(session: AsyncSession, stmt: Executable, params: Mapping[str, Any]) -> list[Any]:
    """A write (``stmt`` built once, its values parameters) run on the connection of the
    session's transaction, in it; the rows it returns (asyncpg records) if it has RETURNING.

    What ``session.execute`` would send, without its per-statement machinery (cache key,
    execution context, result, the greenlet hop): most of a small write's CPU. Parameters go
    through the same bind processors; a database error is raised as SQLAlchemy raises it
    (``IntegrityError`` …, its ``orig`` the driver's error). Through ``session.execute`` itself
    with tracing on (SQL spans), when the session holds unflushed ORM changes (as
    :func:`read_rows`), outside a transaction, or for a statement with Python-side defaults."""
    compiled = _WRITES.get(stmt)
    if compiled is None:
        compiled = _WRITES[stmt] = _CompiledWrite(stmt, session.get_bind().dialect)
    if compiled.needs_orm or tracing.enabled() or not session.in_transaction() or _unsaved(session):
        result = await session.execute(stmt, params)
        return list(result.mappings()) if cast(CursorResult[Any], result).returns_rows else []
    values = {**compiled.values, **params}
    args = [values[name] for name in compiled.names]
    for i, process in compiled.processors:
        args[i] = process(args[i])
    raw = await _transaction_connection(session)
    try:
        return list(await _driver(raw).fetch(compiled.sql, *args))
    except Exception as error:
        await _failed(raw, session.get_bind(), compiled.sql, args, error, session)


async def _transaction_connection(session: AsyncSession) -> PoolProxiedConnection:
    """The connection of the session's transaction, the transaction begun on it.

    SQLAlchemy's asyncpg adapter sends BEGIN before its first statement, not at ``begin()``: a
    statement sent to the driver itself as the transaction's first would otherwise run on its
    own, outside the transaction (a row it locks unlocked at once, a later write in another
    transaction). Started here as that statement would start it; nothing in AUTOCOMMIT (a read
    session), where the adapter starts none."""
    raw = await (await session.connection()).get_raw_connection()
    adapted: Any = raw.dbapi_connection
    if adapted._transaction is None:
        await adapted._start_transaction()  # returns at once under AUTOCOMMIT
    return raw


Write = tuple[Executable, Mapping[str, Any]]  # a prebuilt write and its parameters, not yet run


async def write_together(session: AsyncSession, host: Write, *others: Write) -> list[Any]:
    """Several writes of one use case as one statement (one round trip): ``others`` as
    data-modifying CTEs of ``host``, whose rows (RETURNING) are returned. PostgreSQL runs them all
    on one snapshot, so none may read what another writes; each keeps its own rows and order."""
    stmt = _together(host[0], tuple(s for s, _ in others))
    params: dict[str, Any] = dict(host[1])
    for _, p in others:
        params |= p
    return await write_rows(session, stmt, params)


@functools.lru_cache(maxsize=64)
def _together(host: Executable, others: tuple[Executable, ...]) -> Executable:
    """Built once per combination (the same object every time: write_rows compiles it once)."""
    seen = set(cast(ClauseElement, host).compile().params)
    for stmt in others:
        names = set(cast(ClauseElement, stmt).compile().params)
        if names & seen:
            raise ValueError(f"writes sent together share parameter names: {sorted(names & seen)}")
        seen |= names
    assert isinstance(host, HasCTE)
    ctes = [cast(HasCTE, stmt).cte(f"together_{i}") for i, stmt in enumerate(others, 1)]
    return host.add_cte(*ctes)


def _gone(raw: ManagesConnection, error: Exception) -> bool:
    """The connection cannot be used again: closed (the server went away), or its protocol left in
    the middle of a message exchange — asyncpg's "cannot switch to state …; another operation (2) is
    in progress", seen when a killed server's last message (a FATAL) had arrived and its closed socket
    not yet (the next statement fails before it is sent)."""
    if isinstance(error, InternalClientError):
        return True
    driver = raw.driver_connection
    return driver is None or bool(driver.is_closed())


async def _failed(
    raw: ManagesConnection,
    bind: Engine | Connection,
    sql: str,
    args: list[Any],
    error: Exception,
    session: AsyncSession | None = None,
) -> NoReturn:
    """Raise the driver's ``error`` as ``session.execute`` would (SQLAlchemy's
    ``Connection._handle_dbapi_exception``): the dialect's DBAPI error (its translation of asyncpg's,
    which it chains) wrapped in SQLAlchemy's ``DBAPIError`` subclass, the values hidden as the engine
    hides them (they may be personal data). A connection that is gone (``_gone``) is invalidated
    first, as SQLAlchemy invalidates one on a disconnect — never handed out again — and the error
    says so (``connection_invalidated``: a 503 whose advice is to send the same request again with
    its Idempotency-Key; it was a 500 "internal error")."""
    dialect = bind.dialect
    dbapi = dialect.loaded_dbapi
    gone = _gone(raw, error)
    translated: Exception | None = None
    try:
        cast(Any, raw.dbapi_connection)._handle_exception(error)
    except dbapi.Error as dbapi_error:
        translated = dbapi_error
    except Exception:  # not the driver's own error: the error itself is raised, below
        translated = None
    if gone:
        if session is not None:  # the session's own Connection, so its transaction knows it is lost
            await (await session.connection()).invalidate(error)
        else:
            await in_greenlet(lambda: raw.invalidate(error))
    if translated is None:
        raise error
    raise exc.DBAPIError.instance(
        sql,
        args,
        translated,
        dbapi.Error,
        hide_parameters=bind.engine.hide_parameters,
        connection_invalidated=gone,
        dialect=dialect,
    ) from translated


def _driver(raw: ManagesConnection) -> Any:
    driver = raw.driver_connection
    assert driver is not None
    return driver


def like_prefix(value: str) -> str:
    """The LIKE pattern (``ESCAPE '/'``) of what starts with ``value``: for a statement built once
    with ``column.like(bindparam(...), escape="/")``, as ``startswith(value, autoescape=True)``."""
    return value.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"
