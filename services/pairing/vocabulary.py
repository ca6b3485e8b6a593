"""The pairing service's code lists with their Chinese labels (GET /pairing/v1/vocabulary);
requests may send the label instead of the code."""

from __future__ import annotations

from services.pairing.coverage.rules import GapKind
from services.pairing.helpers.rules import HelperKind
from services.pairing.pairings.rules import PairingKind
from services.pairing.visits.rules import LedgerKind, Satisfaction, VisitKind
from shared.vocabulary import Vocabulary

__all__ = ["VOCABULARIES"]

VOCABULARIES = (
    Vocabulary("helper_kind", "帮扶力量类别", HelperKind),
    Vocabulary("pairing_kind", "结对方式", PairingKind),
    Vocabulary("visit_kind", "走访方式", VisitKind),
    Vocabulary("satisfaction", "满意度", Satisfaction),
    Vocabulary("ledger_kind", "户户三本账", LedgerKind),
    Vocabulary("gap_kind", "帮扶缺口类别", GapKind),
    Vocabulary(
        "title",
        "职称",
        {"junior": "初级", "intermediate": "中级", "associate_senior": "副高级", "senior": "正高级"},
    ),
)
