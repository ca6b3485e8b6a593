"""Inspection's snapshot for provincial platforms: sign-off dossiers and findings (docs/FEED.md)."""
