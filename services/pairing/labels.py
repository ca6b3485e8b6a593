"""The pairing service's request fields as its forms name them (``labels.json``; shared/labels.py)."""

from __future__ import annotations

from shared.household_status import HOUSEHOLD_STATUS_LABELS
from shared.labels import FieldLabels, load_labels

__all__ = ["LABELS"]

# a household's status in the registry's words (shared/household_status.py), beside labels.json's
LABELS = load_labels("services.pairing") | FieldLabels(codes=HOUSEHOLD_STATUS_LABELS)
