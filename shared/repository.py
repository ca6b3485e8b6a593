"""Base for repositories: all SQL lives in repositories, which hold the caller's session."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["Repository"]


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
