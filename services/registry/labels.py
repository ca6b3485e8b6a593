"""The registry's request fields as its forms name them (validation errors: shared/labels.py)."""

from __future__ import annotations

from shared.labels import FieldLabels

__all__ = ["LABELS"]

LABELS = FieldLabels(
    fields={
        "members": "成员",
        "member": "成员",
        "households": "户",
        "birth_date": "出生日期",
        "sex": "性别",
        "relation": "与户主关系",
        "schooling": "文化程度",
        "health": "健康状况",
        "disability": "残疾情况",
        "labour_capacity": "劳动能力",
        "in_school": "是否在校生",
        "migrant_work": "是否务工",
        "poverty_causes": "致贫原因",
        "batches": "帮扶批次",
        "labour_willing": "是否有劳动意愿",
        "dibao": "是否低保户",
        "five_guarantee": "是否五保户",
        "basic_needs": "两不愁三保障",
        "income_channels": "收入来源",
        "plan": "帮扶计划",
        "per_capita_income_fen": "人均纯收入（分）",
        "cause": "负债原因",
        "recorded_on": "登记日期",
        "registered_on": "建档立卡日期",
        "household_number": "户编号",
        "new_head_id": "新户主",
        "remaining_head_id": "原户留下的户主",
        "member_ids": "分出的成员",
        "into_household_id": "并入的户",
        "former_head_relation": "原户主与新户主的关系",
        "to_area_code": "迁入村",
        "moved_on": "搬迁日期",
        "on": "日期",
        "held_on": "评议日期",
        "result": "评议结果",
        "starts_on": "公示开始日期",
        "lodged_on": "提出日期",
        "resolution": "处理结果",
        "decision": "决定",
        "head_resident_id": "户主身份证号",
    },
    items={"members": "人", "households": "户", "member_ids": "人"},
)
