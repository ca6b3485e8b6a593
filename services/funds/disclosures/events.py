"""What disclosures publish (docs/EVENTS.md, funds section)."""

from services.funds import events as contracts

NOTICE_PUBLISHED = contracts.NoticePublished.type
NOTICE_CLOSED = contracts.NoticeClosed.type
