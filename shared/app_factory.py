"""``create_app`` of a service, written once: each service's app.py names its parts, this builds it.

    create_app = app_factory(FundsSettings, "funds", ROUTERS, HANDLERS, JOBS, LABELS, VOCABULARIES)

``create_app(settings=None)`` is what uvicorn's ``--factory``, `jingzhun` and the tests call; without
settings it reads the service's own settings class from the environment.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol, TypeVar

from fastapi import APIRouter, FastAPI

from shared.app import create_service_app
from shared.db import Database
from shared.events.consumer import Handler
from shared.labels import FieldLabels
from shared.runtime import PeriodicJob
from shared.settings import ServiceSettings
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
            settings or settings_class(),
            title=f"Jingzhun {name}",
            routers=routers,
            handlers=handlers,
            jobs=jobs,
            on_startup=on_startup,
            labels=labels,
            vocabularies=vocabularies,
        )

    return create_app
