"""What disclosures publish (docs/EVENTS.md, funds section)."""

NOTICE_PUBLISHED = "funds.notice.published.v1"
NOTICE_CLOSED = "funds.notice.closed.v1"
