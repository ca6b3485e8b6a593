"""A real headless Chromium for tests that must see a document as a browser renders it.

Driven over the DevTools protocol (a websocket per page): open a file, wait for it to load, and
evaluate an expression in it (the text as rendered — ``innerText`` follows layout and CSS — and
the boxes of drawn elements). ``CHROMIUM`` names the binary; without one the test is skipped.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

__all__ = ["Page", "chromium", "headless_page"]

# The flags this machine's closed network needs (no background connections, no first-run work).
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--remote-debugging-port=0", "--window-size=1000,1400",
]


def chromium() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.skip("no Chromium on this machine (apt install chromium, or set CHROMIUM)")
    return found


class Page:
    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    async def evaluate(self, expression: str) -> Any:
        """The expression's value in the page (promises awaited), as JSON."""
        call_id = next(self.ids)
        await self.ws.send(json.dumps({
            "id": call_id, "method": "Runtime.evaluate",
            "params": {"expression": expression, "returnByValue": True, "awaitPromise": True},
        }))
        while True:
            answer = json.loads(await self.ws.recv())
            if answer.get("id") == call_id:
                break
        if "exceptionDetails" in answer.get("result", {}):
            raise AssertionError(f"the page threw: {answer['result']['exceptionDetails']}")
        return answer["result"]["result"].get("value")


@asynccontextmanager
async def headless_page(document: Path) -> AsyncIterator[Page]:
    """A headless Chromium showing ``document`` (a local file), loaded and laid out."""
    binary = chromium()
    with tempfile.TemporaryDirectory(prefix="jingzhun-chromium-") as profile:
        proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (port_file.exists() and port_file.read_text().strip()):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("Chromium did not start its DevTools endpoint")
                await asyncio.sleep(0.1)
            port = port_file.read_text().split()[0]
            deadline = time.monotonic() + 30
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                target = (await http.put(f"/json/new?{document.resolve().as_uri()}")).json()
            async with websockets.connect(target["webSocketDebuggerUrl"], max_size=None) as ws:
                page = Page(ws)
                # the new tab starts on about:blank: wait for the document itself, fully loaded
                loaded = (
                    "location.protocol === 'file:' && document.readyState === 'complete' && !!document.body"
                )
                while not await page.evaluate(loaded):
                    if time.monotonic() > deadline:
                        raise AssertionError(f"Chromium did not load {document}")
                    await asyncio.sleep(0.05)
                yield page
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
