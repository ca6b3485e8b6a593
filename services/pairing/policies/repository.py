"""All SQL about pairing policy overrides."""

from __future__ import annotations

from datetime import date

from services.pairing.models import PolicyOverrideRow
from shared.repository import KeyedRepository


class PolicyRepository(KeyedRepository[PolicyOverrideRow]):
    model = PolicyOverrideRow
    key = ("area_prefix", "valid_from")

    async def all(self) -> list[PolicyOverrideRow]:
        # A handful of rows per province: loaded whole and resolved in memory.
        return await self.filtered(order_by=[PolicyOverrideRow.area_prefix, PolicyOverrideRow.valid_from])

    async def at(self, area_prefix: str, valid_from: date, *, lock: bool = False) -> PolicyOverrideRow | None:
        return await self.by_natural_key(area_prefix, valid_from, lock=lock)
