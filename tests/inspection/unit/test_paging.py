import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from services.inspection.paging import after_key, next_cursor
from shared.errors import InvalidInput
from shared.pagination import encode_cursor


@dataclass
class Row:
    created_at: datetime
    id: uuid.UUID


def test_cursor_round_trip_and_last_page():
    rows = [Row(datetime(2026, 3, i + 1, tzinfo=UTC), uuid.uuid4()) for i in range(3)]
    cursor = next_cursor(rows, 2)  # 3 fetched for a page of 2: there is more
    assert after_key(cursor) == (rows[1].created_at, rows[1].id)
    assert next_cursor(rows, 3) is None
    assert after_key(None) is None


def test_a_cursor_we_did_not_give_out_is_refused():
    with pytest.raises(InvalidInput):
        after_key("not-a-cursor")
    with pytest.raises(InvalidInput):
        after_key(encode_cursor(["yesterday", "x"]))
