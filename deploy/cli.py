"""``jingzhun``: the command line for developers and ops."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Jingzhun (精准) targeted poverty alleviation backend", no_args_is_help=True)
SERVICE_NAMES = ("registry", "funds", "pairing", "inspection")


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
    no_demo: Annotated[bool, typer.Option("--no-demo", help="do not load demo data")] = False,
    data_dir: Annotated[Path | None, typer.Option(help="where PostgreSQL and NATS keep data")] = None,
) -> None:
    """Run the whole system locally (what `make run` calls)."""
    from deploy.local.runner import Runner

    runner = Runner(load_demo=not no_demo)
    if data_dir is not None:
        runner.data_dir = data_dir
    raise typer.Exit(runner.run())


@app.command()
def migrate(
    service: Annotated[str, typer.Argument(help="registry, funds, pairing or inspection")],
    database_url: Annotated[str, typer.Option(envvar="DATABASE_URL", help="the service's database")],
) -> None:
    """Migrate one service's database to the latest revision."""
    from shared.migrations import upgrade

    _check(service)
    upgrade(service, database_url)


@app.command()
def worker(service: Annotated[str, typer.Argument(help="registry, funds, pairing or inspection")]) -> None:
    """Run only the outbox relay, consumers and jobs of a service (no HTTP), for separate scaling."""
    _check(service)
    asyncio.run(_run_worker(service))


async def _run_worker(service: str) -> None:
    import signal

    from shared.runtime import ServiceRuntime

    settings_module = importlib.import_module(f"services.{service}.settings")
    settings = getattr(settings_module, f"{service.capitalize()}Settings")()
    handlers = importlib.import_module(f"services.{service}.consumers").HANDLERS
    jobs = getattr(importlib.import_module(f"services.{service}.app"), "JOBS", [])
    runtime = ServiceRuntime(settings, handlers=handlers, jobs=jobs)
    await runtime.start(relay=True, consumers=True, jobs=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await runtime.stop()


def _check(service: str) -> None:
    if service not in SERVICE_NAMES:
        raise typer.BadParameter(f"unknown service '{service}'; one of {', '.join(SERVICE_NAMES)}")


if __name__ == "__main__":
    app()
