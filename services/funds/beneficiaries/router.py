from __future__ import annotations

from typing import Annotated, Literal, get_args

from fastapi import APIRouter

from services.funds.beneficiaries import schemas, service
from services.funds.vocabulary import BENEFICIARY_KINDS
from shared.answers import AreaPage, page_of
from shared.auth import CurrentUser
from shared.db import SessionDep
from shared.pagination import Page
from shared.vocabulary import code_or_label

router = APIRouter(prefix="/beneficiaries", tags=["beneficiaries"])

# the kinds this list holds (a project is no beneficiary row), by code or 受益对象类别 label
ListedKind = Literal["household", "village"]
_BY_CODE_OR_LABEL = code_or_label({kind: BENEFICIARY_KINDS[kind] for kind in get_args(ListedKind)})


@router.get("", response_model=Page[schemas.BeneficiaryOut])
async def list_beneficiaries(
    session: SessionDep,
    user: CurrentUser,
    q: AreaPage,
    kind: Annotated[ListedKind, _BY_CODE_OR_LABEL] = "household",
) -> Page[schemas.BeneficiaryOut]:
    return page_of(schemas.BeneficiaryOut, await service.page(session, actor=user, kind=kind, **q.args))
