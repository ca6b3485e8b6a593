"""Personal-data key rotation: old data stays readable and searchable, then moves to the new key."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from services.registry.app import PII_COLUMNS, create_app
from services.registry.models import Member
from services.registry.settings import RegistrySettings
from shared.pii import PiiCipher
from shared.pii_rotation import rotate_column
from tests.registry.integration.helpers import REGISTRAR, candidate, load_areas, member, person_id
from tests.support import service_client, settings_for

OLD = "the-original-key-of-this-province"
NEW = "the-key-of-the-next-year-0000000"


def app_with(url: str, key: str, previous: list[str] | None = None, hash_key: str | None = None):  # type: ignore[no-untyped-def]
    return create_app(
        settings_for(
            RegistrySettings, url, pii_key=key, pii_previous_keys=previous or [], pii_hash_key=hash_key
        )
    )


async def full_id(c, h) -> str:  # type: ignore[no-untyped-def]
    r = await c.get(
        f"/registry/v1/households/{h['id']}/members/{h['members'][0]['id']}/resident-id", headers=REGISTRAR
    )
    assert r.status_code == 200, r.text
    return str(r.json()["resident_id"])


async def found(c, number: str) -> list[str]:  # type: ignore[no-untyped-def]
    r = await c.get("/registry/v1/households", params={"resident_id": number}, headers=REGISTRAR)
    assert r.status_code == 200, r.text
    return [i["id"] for i in r.json()["items"]]


@pytest.mark.asyncio
async def test_a_key_rotation_keeps_every_id_readable_and_searchable(make_db):
    url = make_db("registry")
    heads = [person_id() for _ in range(3)]
    async with service_client(app_with(url, OLD)) as c:
        await load_areas(c)
        households = [await candidate(c, members=[member("head", resident_id=n)]) for n in heads]

    # During the rotation: the new key encrypts, the old one still decrypts, hashes unchanged.
    during = app_with(url, NEW, previous=[OLD], hash_key=OLD)
    async with service_client(during) as c:
        assert [await full_id(c, h) for h in households] == heads
        assert await found(c, heads[1]) == [households[1]["id"]]
        late = await candidate(c, members=[member("head", resident_id=(late_id := person_id()))])
        body = {"area_code": late["area_code"], "year": 2017}
        body["members"] = [member("head", resident_id=heads[0])]
        dup = await c.post("/registry/v1/households", json=body, headers=REGISTRAR)
        assert dup.status_code == 409  # one person, one active household: the hash still matches

        cipher = during.state.settings.pii_cipher()
        reports = [await rotate_column(during.state.db, col, cipher, batch=2) for col in PII_COLUMNS]
        assert {r.column: (r.scanned, r.rotated) for r in reports} == {
            "member.resident_id_cipher": (4, 3),  # the late household was already under the new key
            "edge_household.head_id_cipher": (0, 0),
            "dci_client.secret_cipher": (0, 0),  # DCI clients' signing keys (docs/DCI.md)
            "import_row.resident_id_cipher": (0, 0),
        }
        again = await rotate_column(during.state.db, PII_COLUMNS[0], cipher)
        assert (again.scanned, again.rotated) == (4, 0)
        async with during.state.db.transaction() as s:
            stored = (await s.scalars(select(Member.resident_id_cipher))).all()
        assert all(PiiCipher(NEW).is_current(t) for t in stored)

    # After: the old key is gone from the configuration; everything still reads and matches.
    async with service_client(app_with(url, NEW, hash_key=OLD)) as c:
        assert [await full_id(c, h) for h in [*households, late]] == [*heads, late_id]
        assert await found(c, late_id) == [late["id"]]


def test_the_old_key_alone_cannot_read_rotated_data() -> None:
    token = PiiCipher(NEW, previous=[OLD]).rotate(PiiCipher(OLD).encrypt("440783197005170011"))
    assert PiiCipher(NEW).decrypt(token) == "440783197005170011"
    with pytest.raises(ValueError, match="configured keys"):
        PiiCipher(OLD).decrypt(token)
    with pytest.raises(ValueError, match="at least 16"):
        PiiCipher("short")


def test_the_rotate_command_reports_and_can_be_run_again(make_db, monkeypatch) -> None:
    from typer.testing import CliRunner

    from deploy.pii_cli import pii_app

    url = make_db("registry")
    numbers = [person_id(), person_id()]

    async def seed() -> None:
        async with service_client(app_with(url, OLD)) as c:
            await load_areas(c)
            for n in numbers:
                await candidate(c, members=[member("head", resident_id=n)])

    asyncio.run(seed())
    for name, value in {
        "DATABASE_URL": url,
        "PII_KEY": NEW,
        "PII_PREVIOUS_KEYS": json.dumps([OLD]),
        "PII_HASH_KEY": OLD,
    }.items():
        monkeypatch.setenv(f"REGISTRY_{name}", value)
    runner = CliRunner()
    first = runner.invoke(pii_app, ["rotate", "registry", "--batch", "1"])
    assert first.exit_code == 0, first.output
    assert "member.resident_id_cipher: 2 values, 2 re-encrypted" in first.output
    again = runner.invoke(pii_app, ["rotate", "registry"])
    assert "member.resident_id_cipher: 2 values, 0 re-encrypted" in again.output

    monkeypatch.setenv("REGISTRY_PII_KEY", "a-third-key-nobody-configured-00")
    monkeypatch.setenv("REGISTRY_PII_PREVIOUS_KEYS", "[]")
    lost = runner.invoke(pii_app, ["rotate", "registry"])
    assert lost.exit_code == 1
    assert "PII_PREVIOUS_KEYS" in lost.output
    wrong = runner.invoke(pii_app, ["rotate", "ledger"])
    assert wrong.exit_code == 2


@pytest.mark.asyncio
async def test_ids_stored_with_fernet_stay_readable_and_rotate_to_aes_gcm(make_db):
    """Values written before AES-GCM (Fernet) are read as they are, and the rotate command moves
    them to the current scheme, under the same key or a new one."""
    from sqlalchemy import update

    from tests.shared.test_pii import fernet_token

    url = make_db("registry")
    heads = [person_id() for _ in range(2)]
    before = app_with(url, OLD)
    async with service_client(before) as c:
        await load_areas(c)
        households = [await candidate(c, members=[member("head", resident_id=n)]) for n in heads]
        async with before.state.db.transaction() as s:
            for h, number in zip(households, heads, strict=True):
                await s.execute(
                    update(Member)
                    .where(Member.id == h["members"][0]["id"])
                    .values(resident_id_cipher=fernet_token(OLD, number))
                )
        assert [await full_id(c, h) for h in households] == heads

    during = app_with(url, NEW, previous=[OLD], hash_key=OLD)
    async with service_client(during) as c:
        assert [await full_id(c, h) for h in households] == heads
        report = await rotate_column(during.state.db, PII_COLUMNS[0], during.state.settings.pii_cipher())
        assert (report.scanned, report.rotated) == (2, 2)
        async with during.state.db.transaction() as s:
            stored = (await s.scalars(select(Member.resident_id_cipher))).all()
        assert all(t.startswith("v2:") and PiiCipher(NEW).is_current(t) for t in stored)
    async with service_client(app_with(url, NEW, hash_key=OLD)) as c:
        assert [await full_id(c, h) for h in households] == heads
        assert await found(c, heads[1]) == [households[1]["id"]]
