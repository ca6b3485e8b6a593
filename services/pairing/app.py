"""Assembly of the pairing service."""

from fastapi import APIRouter

from services.pairing.consumers import HANDLERS
from services.pairing.coverage.router import router as coverage_router
from services.pairing.helpers.router import router as helpers_router
from services.pairing.imports import service as imports_service
from services.pairing.imports.router import router as imports_router
from services.pairing.jobs import JOBS as PAIRING_JOBS
from services.pairing.labels import LABELS
from services.pairing.needs.router import router as needs_router
from services.pairing.pairings.router import router as pairings_router
from services.pairing.policies.router import router as policies_router
from services.pairing.settings import PairingSettings
from services.pairing.snapshot.router import router as snapshot_router
from services.pairing.visits.router import router as visits_router
from services.pairing.vocabulary import VOCABULARIES
from services.pairing.workload.router import router as workload_router
from shared.app_factory import app_factory
from shared.runtime import PeriodicJob

__all__ = ["HANDLERS", "JOBS", "ROUTERS", "create_app", "settings_class"]

settings_class = PairingSettings
# periodic jobs (also run by `jingzhun worker pairing`); imports whose step died with its process are failed
JOBS: list[PeriodicJob] = [*PAIRING_JOBS, imports_service.INTERRUPTED_JOB]
# this service's APIRouters, mounted under /pairing/v1 (in this order in the OpenAPI document)
ROUTERS: list[APIRouter] = [
    helpers_router,
    pairings_router,
    needs_router,
    visits_router,
    coverage_router,
    workload_router,
    policies_router,
    snapshot_router,
    imports_router,
]


create_app = app_factory(PairingSettings, "pairing", ROUTERS, HANDLERS, JOBS, LABELS, VOCABULARIES)
