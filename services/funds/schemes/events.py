"""What schemes and plans publish (docs/EVENTS.md, funds section)."""

PLAN_RECOMPUTED = "funds.plan.recomputed.v1"
