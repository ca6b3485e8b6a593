"""The registry's request fields as its forms name them (``labels.json``; shared/labels.py)."""

from __future__ import annotations

from shared.labels import load_labels

__all__ = ["LABELS"]

LABELS = load_labels("services.registry")
