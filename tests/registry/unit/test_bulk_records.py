"""The bulk import's COPY records (households.bulk) hold what the row-by-row path writes."""

from __future__ import annotations

import json
import time
import uuid
from datetime import date

from services.registry.households import bulk
from services.registry.households.schemas import MemberIn
from services.registry.households.service import member_values
from services.registry.rollups.repository import counters_write
from services.registry.rollups.rules import CounterDelta, Snapshot, counter_deltas, flow_deltas
from services.registry.vocabulary import HouseholdStatus
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
    record = bulk._member(
        3, m, member_id, household_id, {}, CIPHER.sealer(1), CIPHER.keyed_hash_of, today=TODAY, born_on={}
    )
    one_by_one = member_values(m, cipher=CIPHER, today=TODAY, household_id=household_id, reason="import")
    ciphertext = one_by_one.pop("resident_id_cipher")
    entered = dict(zip(bulk.MEMBER_COLUMNS, record, strict=True))
    assert CIPHER.decrypt(entered.pop("resident_id_cipher")) == CIPHER.decrypt(ciphertext) == NUMBER
    assert entered == one_by_one | {"id": member_id}


def test_uuids_drawn_in_bulk_are_distinct_version_7_uuids_of_now_in_the_order_drawn() -> None:
    before = time.time_ns() // 1_000_000
    ids = bulk._uuid7s(5000)  # more than the counter's 4,096: it starts again
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == 5000
    assert all(isinstance(i, uuid.UUID) and i.version == 7 and i.variant == uuid.RFC_4122 for i in ids)
    assert all(before <= i.int >> 80 <= after for i in ids)  # the draw's millisecond
    assert ids[:4096] == sorted(ids[:4096])
    assert ids[4096:] == sorted(ids[4096:])
    assert uuid.UUID(str(ids[0])) == ids[0]


def test_an_event_record_is_the_envelope_whatever_the_strings_hold() -> None:
    """Quotes, backslashes, a percent sign and Chinese in what a row or request brings come out as
    the JSON of the same values (the template escapes them; the database reads the text as jsonb)."""
    events = bulk._Events.of(
        event_type="registry.household.registered.v1",
        time="2026-12-04T08:00:00Z",
        request_id='req-"100%"',
        trace={"traceparent": "00-ab-cd-01"},
    )
    household_id, event_id = uuid.uuid4(), uuid.uuid4()
    columns = dict.fromkeys(bulk.HOUSEHOLD_COLUMNS) | {
        "id": household_id,
        "household_number": 'A"1\\%d',
        "area_code": "440783101201",
        "year": 2018,
        "head_name": "欧阳\t明",
        "member_count": 2,
        "poverty_causes": ["illness", "schooling"],
        "batches": [],
        "dibao": True,
        "registered_on": date(2018, 6, 30),
    }
    record = events.record(event_id, tuple(columns.values()), ["m-1", "m-2"])
    assert record[:3] == (event_id, "registry.household.registered.v1", str(household_id))
    assert record[4] == 'req-"100%"'
    assert json.loads(record[3]) == {
        "specversion": "1.0",
        "id": str(event_id),
        "source": "jingzhun/registry",
        "type": "registry.household.registered.v1",
        "subject": str(household_id),
        "time": "2026-12-04T08:00:00Z",
        "datacontenttype": "application/json",
        "requestid": 'req-"100%"',
        "traceparent": "00-ab-cd-01",
        "data": {
            "household_id": str(household_id),
            "household_number": 'A"1\\%d',
            "area_code": "440783101201",
            "year": 2018,
            "member_count": 2,
            "member_ids": ["m-1", "m-2"],
            "head_name_masked": "欧***",
            "poverty_causes": ["illness", "schooling"],
            "batches": [],
            "dibao": True,
            "registered_on": "2018-06-30",
            "origin": "import",
        },
    }
    no_request = bulk._Events.of(event_type="t", time="now", request_id=None, trace={})
    assert "requestid" not in json.loads(no_request.record(event_id, tuple(columns.values()), [])[3])


def test_the_counters_of_a_bulk_import_add_what_registering_each_group_adds() -> None:
    """Thousands of groups (villages of two counties, years, causes in any order and repeated,
    batches): one upsert adds to every counter what the rules' deltas of each group add."""
    villages = [f"44078{c}{t:03d}{v:03d}" for c in (3, 4) for t in range(1, 6) for v in range(1, 21)]
    shapes = [
        ((), ()),
        (("illness",), ("2016a",)),
        (("schooling", "illness"), ()),
        (("illness", "illness"), ()),
    ]
    groups = [
        (village, year, causes, batches, 1 + i % 7, 2 + i % 11)
        for i, (village, year, (causes, batches)) in enumerate(
            (v, y, s) for v in villages for y in (2016, 2018) for s in shapes
        )
    ]
    rules_way: list[CounterDelta] = []
    for area, year, causes, batches, n, persons in groups:
        snap = Snapshot(area, HouseholdStatus.REGISTERED, persons, causes, batches)
        rules_way += [
            CounterDelta(d.area_prefix, d.dimension, d.key, n, d.persons)
            for d in (
                *counter_deltas(None, snap),
                *flow_deltas(area, kind="entries", year=year, persons=persons),
            )
        ]
    assert len(groups) == 1_600
    bulk_write, rules_write = (
        counters_write(bulk.registered_counter_deltas(groups)),
        counters_write(rules_way),
    )
    assert bulk_write is not None
    assert rules_write is not None
    assert bulk_write[1] == rules_write[1]  # the upsert's rows: every counter and what it adds
