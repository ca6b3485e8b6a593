"""Typed dependencies of pairing's routes (defined once)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shared.answers import ConditionalWrite, DatedStep, PageRead, conditional_write, dated_step, read_page
from shared.auth import Principal, require_roles
from shared.clock import TodayDep

__all__ = [
    "ApproverWrite",
    "Manager",
    "ManagerPage",
    "ManagerStep",
    "Office",
    "OfficePage",
    "Reader",
    "ReaderPage",
    "TodayDep",
    "VisitWriter",
]

_manager = require_roles("registrar", "approver")
_reader = require_roles("registrar", "approver", "inspector", "auditor", "evaluator", "cadre")
_approver = require_roles("approver")
_office = require_roles("registrar", "approver", "inspector", "auditor", "evaluator")
# Poverty offices (registrar, approver) manage helpers and pairings; admin always may.
Manager = Annotated[Principal, Depends(_manager)]
# Who may read pairing data; a cadre's reads are narrowed to their own households.
Reader = Annotated[Principal, Depends(_reader)]
# Offices that read an area's pairing data as a whole (a cadre sees only their own households).
Office = Annotated[Principal, Depends(_office)]
# A page of a list read by each of them (the session, the caller, ``?cursor=&limit=``).
ManagerPage = Annotated[PageRead, Depends(read_page(_manager))]
ReaderPage = Annotated[PageRead, Depends(read_page(_reader))]
OfficePage = Annotated[PageRead, Depends(read_page(_office))]
# A dated change by a poverty office (the session, the caller, the office's date).
ManagerStep = Annotated[DatedStep, Depends(dated_step(_manager))]
# A change by an approver under If-Match (the session, the caller, If-Match, the response).
ApproverWrite = Annotated[ConditionalWrite, Depends(conditional_write(_approver))]
# Cadres record their own visits; offices may record on a cadre's behalf (paper handbooks).
VisitWriter = Annotated[Principal, Depends(require_roles("cadre", "registrar", "approver"))]
