"""``create_app`` of a service, written once: each service's app.py names its parts, this builds it.

    create_app = app_factory(FundsSettings, "funds", ROUTERS, HANDLERS, JOBS, LABELS, VOCABULARIES)

``create_app(settings=None)`` is what uvicorn's ``--factory``, `jingzhun` and the tests call; without
settings it reads the service's own settings class from the environment.
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from fastapi import APIRouter, FastAPI

from shared.app import create_service_app
from shared.db import Database
from shared.events.consumer import Handler
from shared.labels import FieldLabels
from shared.runtime import PeriodicJob
from shared.settings import InvalidSettingsError, ServiceSettings, UnsafeSettingsError, read_settings
from shared.vocabulary import Vocabulary

__all__ = ["AppFactory", "app_factory"]

S = TypeVar("S", bound=ServiceSettings)
S_contra = TypeVar("S_contra", bound=ServiceSettings, contravariant=True)


class AppFactory(Protocol[S_contra]):
    def __call__(self, settings: S_contra | None = None) -> FastAPI: ...


def app_factory(
    settings_class: type[S],
    name: str,
    routers: Sequence[APIRouter],
    handlers: Mapping[str, Handler],
    jobs: list[PeriodicJob],
    labels: FieldLabels,
    vocabularies: Sequence[Vocabulary],
    *,
    on_startup: Callable[[Database], Awaitable[None]] | None = None,
) -> AppFactory[S]:
    """The service's ``create_app``: its app titled "Jingzhun <name>" with these parts."""

    def create_app(settings: S | None = None) -> FastAPI:
        return create_service_app(
            settings or _from_environment(settings_class, name),
            title=f"Jingzhun {name}",
            routers=routers,
            handlers=handlers,
            jobs=jobs,
            on_startup=on_startup,
            labels=labels,
            vocabularies=vocabularies,
        )

    return create_app


def _from_environment(settings_class: type[S], name: str) -> S:
    """The settings uvicorn's ``--factory`` start reads: a bad or unsafe value ends the process with
    one line naming the variable and exit code 2, as the `jingzhun` commands do (not a traceback
    that names a pydantic field the operator never set)."""
    try:
        settings = read_settings(settings_class, name)
        settings.check_production()
    except (InvalidSettingsError, UnsafeSettingsError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(2) from None
    return settings
