"""The bulk import's COPY records (households.bulk) hold what the row-by-row path writes."""

from __future__ import annotations

import uuid
from datetime import date

from services.registry.households import bulk
from services.registry.households.schemas import MemberIn
from services.registry.households.service import member_values
from shared.pii import PiiCipher
from shared.resident_id import make

CIPHER = PiiCipher("a-test-key-of-enough-length")
TODAY = date(2026, 12, 4)
NUMBER = make("440783", date(1970, 5, 17), 1)


def test_a_member_record_holds_the_columns_the_row_by_row_path_gives() -> None:
    m = MemberIn.model_validate(
        {
            "name": "王大明",
            "resident_id": NUMBER,
            "relation": "户主",
            "labour_capacity": "full",
            "schooling": "初中",
            "in_school": False,
            "migrant_work": True,
        }
    )
    household_id, member_id = uuid.uuid4(), uuid.uuid4()
    number, record = bulk._member(3, m, member_id, household_id, {}, cipher=CIPHER, today=TODAY)
    one_by_one = member_values(m, cipher=CIPHER, today=TODAY, household_id=household_id, reason="import")
    ciphertext = one_by_one.pop("resident_id_cipher")
    assert CIPHER.decrypt(ciphertext) == number == NUMBER
    assert dict(zip(bulk.MEMBER_COLUMNS[:-1], record, strict=True)) == one_by_one | {"id": member_id}
    assert bulk.MEMBER_COLUMNS[-1] == "resident_id_cipher"


def test_uuids_drawn_in_bulk_are_distinct_version_4_uuids() -> None:
    ids = bulk._uuid4s(2000)
    assert len(set(ids)) == 2000
    assert all(isinstance(i, uuid.UUID) and i.version == 4 and i.variant == uuid.RFC_4122 for i in ids)
    assert uuid.UUID(str(ids[0])) == ids[0]
