"""Assembly of the funds service."""

from fastapi import APIRouter

from services.funds.asset_income.router import router as asset_income_router
from services.funds.beneficiaries.router import router as beneficiaries_router
from services.funds.budgets.router import router as budgets_router
from services.funds.consumers import HANDLERS
from services.funds.disbursements.router import router as disbursements_router
from services.funds.disclosures.router import router as disclosures_router
from services.funds.labels import LABELS
from services.funds.ledger.router import router as ledger_router
from services.funds.projects.router import router as projects_router
from services.funds.reports.router import router as reports_router
from services.funds.schemes import service as schemes
from services.funds.schemes.router import router as schemes_router
from services.funds.settings import FundsSettings
from services.funds.snapshot.router import router as snapshot_router
from services.funds.sources.router import router as sources_router
from services.funds.supervision import service as supervision
from services.funds.supervision.router import router as supervision_router
from services.funds.vocabulary import VOCABULARIES
from shared.app_factory import app_factory
from shared.runtime import PeriodicJob

__all__ = ["HANDLERS", "JOBS", "ROUTERS", "create_app", "settings_class"]

settings_class = FundsSettings
# periodic jobs (also run by `jingzhun worker funds`)
JOBS: list[PeriodicJob] = [
    PeriodicJob("funds-plan-refresh", 2, schemes.refresh_job),
    PeriodicJob("funds-supervision", 3600, supervision.run_job),
]
# this service's APIRouters, mounted under /funds/v1 (in this order in the OpenAPI document)
ROUTERS: list[APIRouter] = [
    sources_router,
    schemes_router,
    ledger_router,
    disbursements_router,
    projects_router,
    beneficiaries_router,
    supervision_router,
    reports_router,
    disclosures_router,
    budgets_router,
    asset_income_router,
    snapshot_router,
]


create_app = app_factory(FundsSettings, "funds", ROUTERS, HANDLERS, JOBS, LABELS, VOCABULARIES)
