"""What schemes and plans publish (docs/EVENTS.md, funds section)."""

from services.funds import events as contracts

PLAN_RECOMPUTED = contracts.PlanRecomputed.type
