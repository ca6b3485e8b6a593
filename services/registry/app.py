"""Assembly of the registry service."""

import inspect

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import DBAPIError

from services.registry.areas.router import router as areas_router
from services.registry.consumers import HANDLERS
from services.registry.edge.router import router as edge_router
from services.registry.exits.router import router as exits_router
from services.registry.households.router import router as households_router
from services.registry.identification.router import router as identification_router
from services.registry.policies import service as policy_service
from services.registry.policies.router import router as policies_router
from services.registry.relapses.router import router as relapses_router
from services.registry.rollups.router import router as rollups_router
from services.registry.settings import RegistrySettings
from shared.app import create_service_app
from shared.db import Database
from shared.pii_rotation import PiiColumn
from shared.runtime import PeriodicJob

settings_class = RegistrySettings
PII_COLUMNS = [  # encrypted personal data, re-encrypted by `jingzhun pii rotate registry`
    PiiColumn("member", "id", "resident_id_cipher"),
    PiiColumn("edge_household", "id", "head_id_cipher"),
]
JOBS: list[PeriodicJob] = []  # periodic jobs (also run by `jingzhun worker registry`)
ROUTERS: list[APIRouter] = [  # this service's APIRouters, mounted under /registry/v1
    areas_router,
    policies_router,
    households_router,
    identification_router,
    exits_router,
    relapses_router,
    rollups_router,
    edge_router,
]

__all__ = ["HANDLERS", "JOBS", "PII_COLUMNS", "ROUTERS", "create_app", "settings_class"]


async def _seed_policies(db: Database) -> None:
    # Idempotent: the seeds' presets are inserted once; edited records are never overwritten.
    async with db.transaction() as session:
        await policy_service.seed_presets(session=session)


RETRY_AFTER_S = "1"


def _retry_after_when_busy(app: FastAPI) -> None:
    """A serialization failure or deadlock (40001/40P01) is rendered by shared.errors as 503
    ``try-again``; nothing was saved, so say when to send it again (RFC 9110 §10.2.3)."""
    render = app.exception_handlers[DBAPIError]

    async def handler(request: Request, exc: Exception) -> Response:
        rendered = render(request, exc)
        response = await rendered if inspect.isawaitable(rendered) else rendered
        if response.status_code == 503:
            response.headers["Retry-After"] = RETRY_AFTER_S
        return response

    app.add_exception_handler(DBAPIError, handler)


def create_app(settings: RegistrySettings | None = None) -> FastAPI:
    settings = settings or RegistrySettings()
    app = create_service_app(
        settings,
        title="Jingzhun registry",
        routers=ROUTERS,
        handlers=HANDLERS,
        jobs=JOBS,
        on_startup=_seed_policies,
    )
    _retry_after_when_busy(app)
    return app
