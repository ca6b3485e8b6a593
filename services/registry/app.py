"""Assembly of the registry service."""

from fastapi import APIRouter

from services.registry.area_exits import service as area_exit_service
from services.registry.area_exits.router import router as area_exits_router
from services.registry.areas.router import router as areas_router
from services.registry.conflicts.router import router as conflicts_router
from services.registry.consumers import HANDLERS
from services.registry.dci.delivery import DciDelivery
from services.registry.dci.router import router as dci_router
from services.registry.edge.router import router as edge_router
from services.registry.exits.router import router as exits_router
from services.registry.households.router import router as households_router
from services.registry.identification.router import router as identification_router
from services.registry.imports import service as imports_service
from services.registry.imports.router import router as imports_router
from services.registry.labels import LABELS
from services.registry.notices.router import router as notices_router
from services.registry.policies import service as policy_service
from services.registry.policies.router import router as policies_router
from services.registry.relapses.router import router as relapses_router
from services.registry.rollups.router import public_router as public_rollups_router
from services.registry.rollups.router import router as rollups_router
from services.registry.settings import RegistrySettings
from services.registry.snapshot.router import router as snapshot_router
from services.registry.timeline.router import router as timeline_router
from services.registry.vocabulary import VOCABULARIES
from shared.app_factory import app_factory
from shared.db import Database
from shared.pii_rotation import PiiColumn
from shared.runtime import PeriodicJob

__all__ = ["HANDLERS", "JOBS", "PII_COLUMNS", "ROUTERS", "create_app", "settings_class"]

settings_class = RegistrySettings
PII_COLUMNS = [  # encrypted personal data, re-encrypted by `jingzhun pii rotate registry`
    PiiColumn("member", "id", "resident_id_cipher"),
    PiiColumn("edge_household", "id", "head_id_cipher"),
    PiiColumn("dci_client", "id", "secret_cipher", key_type="text"),  # DCI clients' signing keys
    # staged imports not (yet) committed keep the ciphertext until commit moves it into member
    PiiColumn("import_row", "id", "resident_id_cipher", key_type="bigint"),
]
# periodic jobs (also run by `jingzhun worker registry`)
JOBS: list[PeriodicJob] = [
    PeriodicJob("dci-callbacks", 1.0, DciDelivery().run),  # DCI on-search and notify (docs/DCI.md)
    imports_service.INTERRUPTED_JOB,  # imports whose step died with its process are failed
]
# this service's APIRouters, mounted under /registry/v1 (in this order in the OpenAPI document)
ROUTERS: list[APIRouter] = [
    areas_router,
    policies_router,
    households_router,
    identification_router,
    exits_router,
    area_exits_router,
    relapses_router,
    rollups_router,
    public_rollups_router,
    snapshot_router,
    edge_router,
    notices_router,
    conflicts_router,
    imports_router,
    dci_router,
    timeline_router,
]


async def _seed_policies(db: Database) -> None:
    # Idempotent: the seeds' presets are inserted once; edited records are never overwritten.
    async with db.transaction() as session:
        await policy_service.seed_presets(session=session)
        await area_exit_service.seed_presets(session=session)


create_app = app_factory(
    RegistrySettings, "registry", ROUTERS, HANDLERS, JOBS, LABELS, VOCABULARIES, on_startup=_seed_policies
)
