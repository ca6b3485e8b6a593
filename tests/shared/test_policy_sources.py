"""What a policy answer shows as its source names a document a clerk can look up (its title and
section) or says it is the system's default, never the project's own name for the file ("seed 004")."""

from __future__ import annotations

from collections.abc import Iterator

from services.funds.policies import presets as funds
from services.pairing.policies import presets as pairing
from services.registry.area_exits.presets import AREA_EXIT_PRESETS
from services.registry.policies import presets as registry
from shared.policy_documents import DOCUMENTS, SYSTEM_DEFAULT


def _shown() -> Iterator[str]:
    for record in registry.PRESETS:
        yield record.source
        yield from (rule.wording for rule in (record.comparisons or {}).values())
        yield from (route.wording for route in record.relapse_routes or ())
    yield from (p.source for p in AREA_EXIT_PRESETS)
    yield from (t.source for t in registry.INCOME_SHARE_TARGETS)
    yield registry.TRANSFER_EMPLOYMENT.source
    yield from (r.source for r in registry.KEY_TARGET_RULES)
    yield from (q.source for q in registry.PAIRING_VILLAGE_QUOTAS)
    yield from (s.source for s in funds.PER_CAPITA_STANDARDS)
    yield from (r.source for r in funds.BUDGET_RULES)
    yield from (p.source for p in funds.ASSET_INCOME_POLICIES)
    yield from (r.source for r in funds.INDUSTRY_PARTICIPATION_RULES)
    yield from (r.source for r in pairing.EMPLOYER_SUPPORT)


def test_every_preset_source_cites_a_document_by_title_or_says_it_is_the_default() -> None:
    texts = list(_shown())
    assert len(texts) > 30
    for shown in texts:
        assert "seed" not in shown.lower(), shown  # "seed 004", "OUTSIDE THE SEEDS"
        assert any(title in shown for title in DOCUMENTS) or SYSTEM_DEFAULT in shown, shown
