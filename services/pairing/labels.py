"""The pairing service's request fields as its forms name them (shared/labels.py)."""

from __future__ import annotations

from shared.labels import FieldLabels

__all__ = ["LABELS"]

LABELS = FieldLabels(
    fields={
        "helper_id": "帮扶责任人",
        "cadre_id": "帮扶干部",
        "kind": "类别",
        "unit": "工作单位",
        "position": "职务",
        "phone": "电话",
        "started_on": "开始日期",
        "ended_on": "结束日期",
        "visited_on": "走访日期",
        "measures": "帮扶措施",
        "satisfaction": "满意度",
        "records": "记录",
        "households": "户",
        "title": "职称",
        "hospital_grade": "医院等级",
    },
    items={"records": "条", "households": "户", "measures": "条"},
)
