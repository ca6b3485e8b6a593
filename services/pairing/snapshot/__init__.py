"""Pairing's snapshot for provincial platforms: pairings and visits under an area (docs/FEED.md)."""
