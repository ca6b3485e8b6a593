"""The pairing service's code lists with their Chinese labels (GET /pairing/v1/vocabulary);
requests may send the label instead of the code."""

from __future__ import annotations

from services.pairing.coverage.rules import GapKind
from services.pairing.helpers.rules import HelperKind
from services.pairing.pairings.rules import PairingKind
from services.pairing.visits.rules import LedgerKind, Satisfaction, VisitKind
from shared.vocabulary import CodeList, Vocabulary, vocabularies

__all__ = ["VOCABULARIES"]

VOCABULARIES = vocabularies(
    Vocabulary.of(HelperKind, "帮扶力量类别"),
    Vocabulary.of(PairingKind, "结对方式"),
    Vocabulary.of(VisitKind, "走访方式"),
    Vocabulary.of(Satisfaction, "满意度"),
    Vocabulary.of(LedgerKind, "户户三本账"),
    Vocabulary.of(GapKind, "帮扶缺口类别"),
    CodeList(
        "title",
        "职称",
        {"junior": "初级", "intermediate": "中级", "associate_senior": "副高级", "senior": "正高级"},
    ),
)
