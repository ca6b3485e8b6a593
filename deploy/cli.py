"""``jingzhun``: the command line for developers and ops."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from deploy.audit_cli import audit_app
from deploy.cadres_cli import cadres_app
from deploy.pii_cli import pii_app
from deploy.services import SERVICE_NAMES, check_service, connect_nats, service_settings
from deploy.snapshots import snapshot_app

if TYPE_CHECKING:
    from nats.aio.client import Client as NATS


class _Cli(typer.Typer):
    """The command line; a server it cannot reach ends a command with one line and exit code 2.

    PostgreSQL refused, unknown host, timed out, wrong password, no such database: what an
    operator fixes in a URL or a firewall, said in one line instead of a 500-line stack trace.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except Exception as exc:
            reason = _unreachable(exc)
            if reason is None:
                raise
            typer.echo(f"error: {reason}", err=True)
            raise SystemExit(2) from None


def _unreachable(exc: BaseException) -> str | None:
    """One line for a connection that could not be made, else None (a bug: keep the trace)."""
    import socket

    import asyncpg

    hint = "check the database URL (<SERVICE>_DATABASE_URL or --database-url) and that PostgreSQL is up"
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ConnectionError | socket.gaierror | TimeoutError):
            return f"cannot connect: {type(e).__name__}: {e}; {hint}"
        if isinstance(
            e, asyncpg.InvalidAuthorizationSpecificationError | asyncpg.InvalidCatalogNameError
        ):
            return f"PostgreSQL refused the connection: {type(e).__name__}: {str(e).splitlines()[0]}; {hint}"
        todo += [e.__cause__, e.__context__, getattr(e, "orig", None)]
    return None


app = _Cli(help="Jingzhun (精准) targeted poverty alleviation backend", no_args_is_help=True)

LOCAL_ONLY = (
    "local only: `jingzhun up`, `status` and `demo reset` run the local stack of a checkout "
    "(`make install`, `make run`); this installation has no deploy/local (the container image)"
)


def _local(module: str) -> Any:
    """A module of the local runner (``deploy/local``), or one line and exit code 2 where it is not
    installed: the container image leaves it out (its servers come from the ``local`` extra)."""
    name = f"deploy.local.{module}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name not in ("deploy.local", name):
            raise
        typer.echo(f"error: {LOCAL_ONLY}", err=True)
        raise typer.Exit(2) from None


@app.command()
def token(
    role: Annotated[list[str], typer.Option("--role", "-r", help="a role; repeat for several")],
    area: Annotated[str, typer.Option(help="12-digit division code that scopes the caller")],
    sub: Annotated[str, typer.Option(help="subject (user id)")] = "dev-user",
    name: Annotated[str | None, typer.Option(help="display name")] = None,
    hours: Annotated[int, typer.Option(help="lifetime in hours")] = 8,
) -> None:
    """Print a development token signed with the local key (.data/keys)."""
    from shared.areas import AreaCode
    from shared.devtokens import issue_token

    code = AreaCode.parse(area).code
    typer.echo(issue_token(sub=sub, roles=role, area=code, name=name, ttl_s=hours * 3600))


@app.command()
def up(
    demo: Annotated[
        bool | None,
        typer.Option(
            "--demo/--no-demo",
            help="load the demo data on the first start (default: JINGZHUN_DEMO, else yes); "
            "--no-demo starts an empty system",
            show_default=False,
        ),
    ] = None,
    data_dir: Annotated[Path | None, typer.Option(help="where PostgreSQL and NATS keep data")] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="uvicorn worker processes per service (default: WEB_CONCURRENCY, else 1)", min=1),
    ] = None,
) -> None:
    """Run the whole system locally (what `make run` calls)."""
    local = _local("runner")
    runner = local.Runner(load_demo=local.demo_enabled() if demo is None else demo, workers=workers or 0)
    if data_dir is not None:
        runner.data_dir = data_dir
    raise typer.Exit(runner.run())


DataDirOption = Annotated[
    Path | None, typer.Option(help="the data folder of `jingzhun up` (default .data/run)", show_default=False)
]


def _run_status(data_dir: Path | None) -> dict[str, Any] | None:
    import json

    local = _local("runner")
    path = (data_dir or local.Runner.data_dir) / local.STATUS_FILE
    try:
        status: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not _alive(status.get("runner_pid")):
        return None  # left behind by a runner that was killed (kill -9, a reboot): nothing runs
    return status


def _in_office_time(written: str) -> str:
    """When the runner last wrote its status, in China time as every answer says it
    (2026-12-05T09:42:22+08:00), whatever zone the host's clock is in."""
    from datetime import datetime

    from shared.clock import clock

    try:
        instant = datetime.strptime(written, "%Y-%m-%dT%H:%M:%S%z")  # what runners before wrote
    except ValueError:
        try:
            instant = datetime.fromisoformat(written)
        except ValueError:
            return written
    return clock.local(instant).isoformat(timespec="seconds")


def _alive(pid: object) -> bool:
    import os

    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


@app.command()
def status(data_dir: DataDirOption = None) -> None:
    """What `jingzhun up` runs: each service's state, pid, restarts and readiness; the demo's state."""
    import httpx

    run = _run_status(data_dir)
    if run is None:
        typer.echo("not running (no status file of a live runner; start it with `jingzhun up`)")
        raise typer.Exit(1)
    typer.echo(f"runner pid {run['runner_pid']}, updated {_in_office_time(run['updated_at'])}")
    typer.echo(f"demo data: {run['demo']['state']} {run['demo']['detail']}".rstrip())
    typer.echo(f"{'SERVICE':<11} {'STATE':<11} {'PID':>7} {'PORT':>5} {'RESTARTS':>8}  LAST EXIT  READY")
    for svc, s in run["services"].items():
        try:
            ready = httpx.get(f"http://127.0.0.1:{s['port']}/health/ready", timeout=2).status_code == 200
        except httpx.HTTPError:
            ready = False
        last = "-" if s["last_exit"] is None else str(s["last_exit"])
        typer.echo(
            f"{svc:<11} {s['state']:<11} {s['pid'] or '-':>7} {s['port']:>5} {s['restarts']:>8}  "
            f"{last:<9}  {'yes' if ready else 'no'}"
        )
    if run.get("nats_url"):
        _print_webhooks(str(run["nats_url"]))


def _print_webhooks(nats_url: str) -> None:
    """Each change-feed webhook's backlog and whether its receiver is failing now (docs/FEED.md)."""
    from shared.feed.status import webhook_states

    async def read() -> list[Any]:
        nc = await connect_nats(nats_url, timeout_s=3.0)
        try:
            return await webhook_states(nc.jetstream(timeout=3), SERVICE_NAMES)
        finally:
            await nc.close()

    try:
        states = asyncio.run(read())
    except typer.Exit:  # connect_nats said why on stderr; the table above stands
        typer.echo("webhooks: not shown (NATS cannot be reached)")
        return
    except Exception as exc:
        typer.echo(f"webhooks: not read from NATS at {nats_url} ({type(exc).__name__})")
        return
    if states:
        typer.echo(f"{'WEBHOOK':<28} {'PENDING':>8}  STATE")
    for w in states:
        s = w.status
        if s.consecutive_failures:
            retry = f", next try {_in_office_time(s.retry_at.isoformat())}" if s.retry_at else ""
            state = f"failing ({s.consecutive_failures} in a row{retry}): {s.last_error}"
        elif s.last_delivery_at is not None:
            state = f"ok, last delivery {_in_office_time(s.last_delivery_at.isoformat())}"
        else:
            state = "nothing delivered yet"
        typer.echo(f"{w.service + '/' + w.name:<28} {w.pending:>8}  {state}")


demo_app = typer.Typer(help="The demo data of `jingzhun up`.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")


@demo_app.command("reset")
def demo_reset(data_dir: DataDirOption = None) -> None:
    """Remove exactly the demo data from every service (a user's own data stays); it is not loaded again.

    Uses the databases of the running `jingzhun up`, else each service's <SERVICE>_DATABASE_URL.
    """
    local_demo = _local("demo")
    run = _run_status(data_dir)
    urls = run["database_urls"] if run else {svc: service_settings(svc).database_url for svc in SERVICE_NAMES}
    removed = asyncio.run(local_demo.remove(urls))
    for svc, tables in removed.items():
        listed = ", ".join(f"{t} {n}" for t, n in sorted(tables.items())) or "nothing"
        typer.echo(f"{svc}: removed {listed}")


@app.command()
def migrate(
    service: Annotated[str, typer.Argument(help="registry, funds, pairing or inspection")],
    database_url: Annotated[
        str | None,
        typer.Option(
            envvar="DATABASE_URL",
            help="the service's database, as its owner; default <SERVICE>_MIGRATION_DATABASE_URL",
            show_default=False,
        ),
    ] = None,
    app_role: Annotated[
        str | None,
        typer.Option(
            help="grant this role row access (no DDL); default <SERVICE>_DB_APP_ROLE", show_default=False
        ),
    ] = None,
) -> None:
    """Migrate one service's database to the latest revision (as its owner); grant the app role its rows."""
    from shared.migrations import grant_app_role, upgrade

    check_service(service)
    settings = service_settings(service)
    url = database_url or settings.migration_database_url or settings.database_url
    upgrade(service, url)
    role = app_role or settings.db_app_role
    if role:
        grant_app_role(url, role)
        typer.echo(f"{service}: migrated; role {role} may read and write rows, not change the schema")


@app.command()
def worker(
    service: Annotated[str, typer.Argument(help="registry, funds, pairing or inspection")],
    host: Annotated[str, typer.Option(help="where /metrics and /health/* listen")] = "0.0.0.0",
    port: Annotated[int, typer.Option(help="HTTP port for /metrics and /health/*; 0: none")] = 8000,
) -> None:
    """Run only the outbox relay, consumers and jobs of a service, for separate scaling.

    Serves /metrics, /health/live and /health/ready (database and NATS) on --host:--port.
    """
    check_service(service)
    asyncio.run(_run_worker(service, host, port or None))


async def _run_worker(service: str, host: str, port: int | None) -> None:
    from shared import tracing
    from shared.clock import configure
    from shared.observability import configure_logging
    from shared.runtime import ServiceRuntime
    from shared.settings import UnsafeSettingsError
    from shared.worker import run_worker

    settings = service_settings(service)
    try:
        settings.check_production()
    except UnsafeSettingsError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    configure(settings.time_zone)  # the worker's jobs and consumers take the office's dates
    # JSON logs and (when an endpoint is set) traces, as in the API processes
    configure_logging(service, level=settings.log_level, json=settings.log_json)
    tracing.configure(service, settings.otel_exporter_otlp_endpoint)
    handlers = importlib.import_module(f"services.{service}.consumers").HANDLERS
    jobs = getattr(importlib.import_module(f"services.{service}.app"), "JOBS", [])
    await run_worker(ServiceRuntime(settings, handlers=handlers, jobs=jobs), host=host, port=port)


@app.command()
def prune(
    service: Annotated[str, typer.Argument(help="registry, funds, pairing or inspection")],
    database_url: Annotated[
        str | None, typer.Option(help="default: <SERVICE>_DATABASE_URL", show_default=False)
    ] = None,
    batch_size: Annotated[
        int | None, typer.Option(help="rows per statement; default <SERVICE>_PRUNE_BATCH_SIZE")
    ] = None,
) -> None:
    """Delete what retention no longer keeps: published outbox rows, inbox rows, idempotency keys.

    The periodic job "prune" does the same every PRUNE_INTERVAL_S; this runs it now, to the end.
    """
    from shared.clock import clock
    from shared.db import Database
    from shared.retention import prune as prune_tables

    settings = service_settings(service)
    if database_url:
        settings = settings.model_copy(update={"database_url": database_url})

    async def run() -> dict[str, int]:
        db = Database(settings.database_url, pool_size=1)
        try:
            return await prune_tables(db, settings, clock.now(), batch_size=batch_size)
        finally:
            await db.dispose()

    for table, count in asyncio.run(run()).items():
        typer.echo(f"{table}: {count} rows deleted")


deadletter_app = typer.Typer(
    help="Events a consumer gave up on (the DEADLETTER stream): list, show, replay.", no_args_is_help=True
)
app.add_typer(deadletter_app, name="deadletter")
app.add_typer(pii_app, name="pii")
app.add_typer(audit_app, name="audit")
app.add_typer(snapshot_app, name="snapshot")
app.add_typer(cadres_app, name="cadres")

NatsUrlOption = Annotated[
    str | None,
    typer.Option(
        "--nats-url",
        envvar="NATS_URL",
        help="NATS server; default: <SERVICE>_NATS_URL of --service, else the settings' default",
        show_default=False,
    ),
]
ServiceOption = Annotated[
    str | None, typer.Option("--service", "-s", help="only what this consuming service gave up on")
]


@deadletter_app.command("list")
def deadletter_list(service: ServiceOption = None, nats_url: NatsUrlOption = None) -> None:
    """Print the dead-lettered events, oldest first."""
    asyncio.run(_deadletter_list(_nats_url(nats_url, service), service))


@deadletter_app.command("show")
def deadletter_show(
    seq: Annotated[int, typer.Argument(help="sequence in the DEADLETTER stream (see `list`)")],
    nats_url: NatsUrlOption = None,
) -> None:
    """Print one dead letter: why it failed, where it came from, and the event itself."""
    asyncio.run(_deadletter_show(_nats_url(nats_url, None), seq))


@deadletter_app.command("replay")
def deadletter_replay(
    seqs: Annotated[list[int] | None, typer.Argument(help="sequences in the DEADLETTER stream")] = None,
    all_: Annotated[bool, typer.Option("--all", help="every dead letter (of --service)")] = False,
    service: ServiceOption = None,
    nats_url: NatsUrlOption = None,
) -> None:
    """Publish dead-lettered events again to their original subjects, then delete the dead letters.

    Fix the failing handler first. The event keeps its id, so consumers that had handled it skip it.
    """
    if bool(seqs) == all_:
        raise typer.BadParameter("give dead-letter sequences or --all (not both)")
    failed = asyncio.run(_deadletter_replay(_nats_url(nats_url, service), seqs or [], service))
    if failed:
        raise typer.Exit(1)


def _nats_url(given: str | None, service: str | None) -> str:
    """--nats-url or NATS_URL, else <SERVICE>_NATS_URL when set, else the NATS of a running
    `jingzhun up` (its port is picked at start), else the settings' default."""
    import os

    from shared.settings import ServiceSettings

    if given:
        return given
    if service is not None and f"{service.upper()}_NATS_URL" in os.environ:
        return service_settings(service).nats_url
    run = _run_status(None)
    if run is not None and run.get("nats_url"):
        return str(run["nats_url"])
    if service is not None:
        return service_settings(service).nats_url
    return ServiceSettings().nats_url


async def _connect(url: str) -> NATS:
    return await connect_nats(url)


async def _deadletter_list(url: str, service: str | None) -> None:
    from shared.events.deadletter import iter_dead_letters

    if service is not None:
        check_service(service)
    nc = await _connect(url)
    try:
        rows = [
            (str(d.seq), d.consumer, d.event_type, d.event_id, str(d.attempts), d.failed_at, d.error)
            async for d in iter_dead_letters(nc.jetstream(), service=service)
        ]
    finally:
        await nc.close()
    if not rows:
        typer.echo("no dead-lettered events")
        return
    header = ("SEQ", "CONSUMER", "TYPE", "EVENT ID", "ATTEMPTS", "FAILED AT", "ERROR")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        typer.echo("  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]))


async def _deadletter_show(url: str, seq: int) -> None:
    import json

    from shared.events.deadletter import DeadLetterNotFound, get_dead_letter

    nc = await _connect(url)
    try:
        letter = await get_dead_letter(nc.jetstream(), seq)
    except DeadLetterNotFound as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        await nc.close()
    for name in ("seq", "service", "consumer", "event_id", "event_type", "attempts", "error", "error_type",
                 "failed_at", "original_subject", "original_stream", "original_seq", "request_id"):
        typer.echo(f"{name}: {getattr(letter, name)}")
    try:
        body = json.dumps(json.loads(letter.data), ensure_ascii=False, indent=2)
    except ValueError:
        body = letter.data.decode(errors="replace")
    typer.echo(body)


async def _deadletter_replay(url: str, seqs: list[int], service: str | None) -> int:
    """Replays; returns how many could not be replayed."""
    from shared.events.deadletter import (
        DeadLetter,
        DeadLetterNotFound,
        get_dead_letter,
        iter_dead_letters,
        replay,
    )

    if service is not None:
        check_service(service)
    nc = await _connect(url)
    js = nc.jetstream()
    failed = 0
    try:
        letters: list[DeadLetter] = []
        if seqs:
            for seq in seqs:
                try:
                    letter = await get_dead_letter(js, seq)
                except DeadLetterNotFound as exc:
                    typer.echo(str(exc), err=True)
                    failed += 1
                    continue
                if service is not None and letter.service != service:
                    typer.echo(f"dead letter {seq} belongs to {letter.service}, not {service}", err=True)
                    failed += 1
                    continue
                letters.append(letter)
        else:
            letters = [d async for d in iter_dead_letters(js, service=service)]
        for letter in letters:
            try:
                new_seq = await replay(js, letter)
            except Exception as exc:
                typer.echo(f"dead letter {letter.seq} not replayed: {exc!r}", err=True)
                failed += 1
                continue
            typer.echo(
                f"replayed {letter.seq}: {letter.event_type} {letter.event_id} -> "
                f"{letter.original_stream} #{new_seq} (for {letter.consumer})"
            )
        if not letters and not failed:
            typer.echo("no dead-lettered events")
    finally:
        await nc.close()
    return failed


if __name__ == "__main__":
    app()
