from __future__ import annotations

from typing import Annotated, ClassVar, Literal, Self

from pydantic import BaseModel, Field, StrictBool, model_validator

from services.registry.vocabulary import DISPATCH_LEVELS
from shared.areas import LEVEL_ZH
from shared.fields import AREA_CODE_PATTERN, Fen, StrictInt
from shared.labels import refusal
from shared.vocabulary import code_or_label, label_field

DispatchLevel = Literal["city", "province", "county"]


class CollectiveIncome(BaseModel):
    year: StrictInt = Field(ge=2000, le=2100)
    amount_fen: Fen


class AreaIn(BaseModel):
    code: str = Field(pattern=AREA_CODE_PATTERN)
    name: str = Field(min_length=1, max_length=100)
    poor_village: StrictBool = False
    old_area_village: StrictBool = False
    key_village: StrictBool = False
    # 帮扶村 (seed 002 §十一): a pairing village is a flag of its own; its dispatching level may
    # still be unknown. Left out: a village with a dispatching level is a pairing village.
    pairing_village: StrictBool | None = None
    # by the code or the seed's word (市派、省派、县派); a wrong one is refused in those words
    pairing_dispatch_level: Annotated[DispatchLevel, code_or_label(DISPATCH_LEVELS)] | None = None
    rural_population: StrictInt | None = Field(default=None, ge=0)
    synthetic_code: StrictBool = False
    collective_income: list[CollectiveIncome] = Field(default_factory=list)

    @model_validator(mode="after")
    def _dispatched_villages_are_pairing_villages(self) -> Self:
        if self.pairing_village is None:
            self.pairing_village = self.pairing_dispatch_level is not None
        elif not self.pairing_village and self.pairing_dispatch_level is not None:
            raise refusal(
                "a village with a pairing_dispatch_level is a pairing village (pairing_village)",
                "填写了帮扶村派出层级的村就是帮扶村，帮扶村（pairing_village）不能填否",
            )
        return self


class AreaTreeIn(BaseModel):
    areas: list[AreaIn] = Field(min_length=1, max_length=20_000)


class AreaOut(BaseModel):
    code: str
    name: str
    level: str
    parent_code: str | None
    poor_village: bool
    old_area_village: bool
    key_village: bool
    pairing_village: bool
    pairing_dispatch_level: DispatchLevel | None
    # who sent the work team in the clerk's words (市派/省派/县派), as pairing's list says it
    level_label: ClassVar[str | None] = label_field("level", LEVEL_ZH)  # 省 / 市 / 县 / 乡镇 / 村
    pairing_dispatch_level_label: ClassVar[str | None] = label_field(
        "pairing_dispatch_level", DISPATCH_LEVELS
    )
    rural_population: int | None
    synthetic_code: bool
    collective_income_fen: int | None = None
    collective_income_year: int | None = None


class AreaLoadOut(BaseModel):
    upserted: int
