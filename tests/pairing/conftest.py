"""Fixtures of pairing's integration tests: a fresh database per test, "today" pinned."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest_asyncio
from fastapi import FastAPI

from services.pairing.app import create_app
from services.pairing.settings import PairingSettings
from shared.clock import clock
from tests.pairing.factories import TODAY
from tests.support import service_client, settings_for


@pytest_asyncio.fixture
async def app(make_db: Callable[[str], str]) -> AsyncIterator[FastAPI]:
    application = create_app(settings_for(PairingSettings, make_db("pairing")))
    clock.freeze(TODAY)  # the conftest's autouse fixture thaws it after the test
    yield application


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with service_client(app) as c:
        yield c
