"""Assembly of the inspection service."""

from fastapi import APIRouter

from services.inspection.assessments.router import router as assessments_router
from services.inspection.bulletins.router import router as bulletins_router
from services.inspection.complaints.router import router as complaints_router
from services.inspection.consumers import HANDLERS
from services.inspection.findings.jobs import ESCALATION_JOB
from services.inspection.findings.router import router as findings_router
from services.inspection.inspections.router import router as inspections_router
from services.inspection.labels import LABELS
from services.inspection.progress.router import router as progress_router
from services.inspection.sampling.router import router as sampling_router
from services.inspection.settings import InspectionSettings
from services.inspection.signoffs.router import router as signoffs_router
from services.inspection.signoffs.router import schemes_router
from services.inspection.snapshot.router import router as snapshot_router
from services.inspection.vocabulary import VOCABULARIES
from shared.app_factory import app_factory
from shared.pii_rotation import PiiColumn
from shared.runtime import PeriodicJob

__all__ = ["HANDLERS", "JOBS", "PII_COLUMNS", "ROUTERS", "create_app", "settings_class"]

settings_class = InspectionSettings
PII_COLUMNS = [  # a named complainant: re-encrypted by `jingzhun pii rotate inspection`
    PiiColumn("complaint", "id", "complainant_name_enc"),
    PiiColumn("complaint", "id", "complainant_phone_enc"),
]
JOBS: list[PeriodicJob] = [ESCALATION_JOB]  # also run by `jingzhun worker inspection`
# this service's APIRouters, mounted under /inspection/v1 (in this order in the OpenAPI document)
ROUTERS: list[APIRouter] = [
    inspections_router,
    findings_router,
    signoffs_router,
    schemes_router,
    sampling_router,
    complaints_router,
    assessments_router,
    bulletins_router,
    progress_router,
    snapshot_router,
]


create_app = app_factory(InspectionSettings, "inspection", ROUTERS, HANDLERS, JOBS, LABELS, VOCABULARIES)
