"""Every pairing kind the seeds name, and the rule that allows or refuses it. Pure functions.

``check_open`` raises ``PairingRuleViolated`` (409) with the rule's name and a reason a cadre
or an office clerk can act on; the service passes in what the database knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from services.pairing.errors import HouseholdNotPairable, PairingRuleViolated
from services.pairing.helpers.rules import (
    IN_SYSTEM,
    PROFESSIONALS,
    Helper,
    area_prefix,
    doctor_shortfall,
    doctor_shortfall_zh,
)
from services.pairing.policies.presets import PairingPolicy
from services.pairing.vocabulary import HelperKind, PairingKind
from shared.areas import LEVEL_ZH
from shared.household_status import HOUSEHOLD_STATUS_LABELS

__all__ = [
    "KIND_SPECS",
    "PAIRABLE_STATUSES",
    "ActivePairing",
    "KindSpec",
    "Target",
    "check_open",
    "household_is_pairable",
    "pairing_area",
]


@dataclass(frozen=True, slots=True)
class KindSpec:
    helper_kinds: frozenset[HelperKind]
    target_type: str  # "household", "village" or "area" (any level the policy allows)
    one_per_target: bool  # at most one active pairing of this kind per target
    one_per_helper: bool  # at most one active pairing of this kind per helper


def _spec(kinds: set[HelperKind], target: str, *, per_target: bool, per_helper: bool) -> KindSpec:
    return KindSpec(frozenset(kinds), target, per_target, per_helper)


KIND_SPECS: dict[PairingKind, KindSpec] = {
    # Quanzhou: 每户贫困户都有1名体制内干部挂钩帮扶 — exactly one; the cadre's count is capped.
    PairingKind.CADRE_HOUSEHOLD: _spec(set(IN_SYSTEM), "household", per_target=True, per_helper=False),
    # Gansu/Jinzhou: a first secretary is resident in one poor village, a village has one.
    PairingKind.FIRST_SECRETARY_VILLAGE: _spec(
        {HelperKind.FIRST_SECRETARY}, "village", per_target=True, per_helper=True
    ),
    # Gansu: 确保每个贫困村都有驻村工作队 — a resident team serves one village.
    PairingKind.WORK_TEAM_VILLAGE: _spec({HelperKind.WORK_TEAM}, "village", per_target=True, per_helper=True),
    PairingKind.LEADER_AREA: _spec({HelperKind.LEADER}, "area", per_target=False, per_helper=False),
    PairingKind.PROFESSIONAL_HOUSEHOLD: _spec(
        set(PROFESSIONALS), "household", per_target=False, per_helper=False
    ),
    # Kaiping: 一名医生对口联系一条老区村 — one each way.
    PairingKind.DOCTOR_VILLAGE: _spec({HelperKind.DOCTOR}, "village", per_target=True, per_helper=True),
    # Kaiping: 一村一企业.
    PairingKind.ENTERPRISE_VILLAGE: _spec(
        {HelperKind.ENTERPRISE}, "village", per_target=True, per_helper=False
    ),
    # Jinzhou seed 000 (三)健全定点扶贫机制: 市级领导包村、包户，县级领导、企业包户; (四) social forces
    # 自愿包村包户. An enterprise may take several households; a household may have several helpers
    # beside its one in-system cadre.
    PairingKind.ENTERPRISE_HOUSEHOLD: _spec(
        {HelperKind.ENTERPRISE}, "household", per_target=False, per_helper=False
    ),
    PairingKind.CHAMBER_VILLAGE: _spec({HelperKind.CHAMBER}, "village", per_target=True, per_helper=False),
    PairingKind.OVERSEAS_CHINESE_VILLAGE: _spec(
        {HelperKind.OVERSEAS_CHINESE_ASSOCIATION}, "village", per_target=True, per_helper=False
    ),
    # Kaiping "10+1": a team of 10+ party-member volunteers pairs with 1 household.
    PairingKind.VOLUNTEER_TEAM_HOUSEHOLD: _spec(
        {HelperKind.VOLUNTEER_TEAM}, "household", per_target=False, per_helper=True
    ),
    # Quanzhou mountain-sea: each coastal county helps one mountain county, one each way.
    PairingKind.COUNTY_COUNTY: _spec({HelperKind.COUNTY}, "county", per_target=True, per_helper=True),
    # Quanzhou point eleven: one or more full-time staff per township, one coordinator per village.
    PairingKind.TOWNSHIP_STAFF: _spec(
        {HelperKind.TOWNSHIP_STAFF}, "township", per_target=False, per_helper=True
    ),
    PairingKind.VILLAGE_COORDINATOR: _spec(
        {HelperKind.VILLAGE_COORDINATOR}, "village", per_target=True, per_helper=True
    ),
}

# Households that may receive a pairing: on the roll, being exited, or exited but still
# inside the policy period (脱贫不脱政策).
PAIRABLE_STATUSES = frozenset({"registered", "exit_requested", "exited"})


@dataclass(frozen=True, slots=True)
class Target:
    """A household or an area, as pairing's projection knows it."""

    id: str  # household id, or the 12-digit area code
    area_code: str
    level: str  # "household" or an area level
    status: str | None = None  # households only
    policies_kept_until: date | None = None  # exited households only
    poor_village: bool = False
    old_area_village: bool = False
    key_village: bool = False  # 重点帮扶村 (the registry's area flag)


def pairing_area(kind: PairingKind, helper_area_code: str, target: Target) -> str:
    """The area a pairing belongs to, whose policy applies: the target's, except a mountain-sea
    county pair's (山海协作: the two counties are in different cities), the helping county's."""
    return helper_area_code if kind is PairingKind.COUNTY_COUNTY else target.area_code


@dataclass(frozen=True, slots=True)
class ActivePairing:
    id: str
    kind: PairingKind
    helper_id: str
    target_id: str


def household_is_pairable(target: Target, *, today: date) -> str | None:
    """Why the household cannot be paired now, or None."""
    refusal = _unpairable(target, today=today)
    return refusal[0] if refusal else None


def _unpairable(target: Target, *, today: date) -> tuple[str, str] | None:
    """(English, Chinese) of why the household cannot be paired now, or None."""
    if target.status not in PAIRABLE_STATUSES:
        status = HOUSEHOLD_STATUS_LABELS.get(target.status or "", target.status or "未知")
        return (
            f"household {target.id} is {target.status}; only registered or exited households are paired",
            f"该户（{target.id}）当前状态为“{status}”，只有建档立卡户（或退出后仍享受政策的户）可以结对",
        )
    if target.status == "exited" and target.policies_kept_until and target.policies_kept_until < today:
        return (
            f"household {target.id} left the policy period on {target.policies_kept_until}",
            f"该户（{target.id}）的脱贫不脱政策期已于 {target.policies_kept_until} 结束，不能再结对",
        )
    return None


_LEVEL_ZH = {**LEVEL_ZH, "household": "户"}


# The presets' policy names as a clerk says them; a policy recorded under another name keeps it.
_POLICY_ZH = {
    "national": "全国通行",
    "guangyuan": "广元市",
    "jinzhou": "锦州市",
    "quanzhou": "泉州市",
    "gansu": "甘肃省",
    "kaiping": "开平市",
}


def _policy_zh(policy: PairingPolicy) -> str:
    return _POLICY_ZH.get(policy.name, policy.name)


def _levels_zh(levels: frozenset[str]) -> str:
    order = list(_LEVEL_ZH)
    return "、".join(_LEVEL_ZH[lv] for lv in sorted(levels, key=order.index) if lv in _LEVEL_ZH) or "任何对象"


def _refuse(rule: str, reason: str, detail_zh: str | None = None) -> PairingRuleViolated:
    """``reason`` in English, ``detail_zh`` the same for the clerk (shared.errors: Chinese first)."""
    return PairingRuleViolated(reason, detail_zh=detail_zh, rule=rule)


def _check_target_type(kind: PairingKind, spec: KindSpec, target: Target) -> None:
    if spec.target_type == "area":
        if target.level not in {"county", "township", "village", "household"}:
            raise _refuse(
                "target_type",
                f"{kind} links with a county, township, village or household",
                detail_zh=f"“{kind.label}”的联系对象应为县、乡镇、村或户",
            )
        return
    if target.level != spec.target_type:
        raise _refuse(
            "target_type",
            f"{kind} pairs with a {spec.target_type}, not a {target.level}",
            detail_zh=f"“{kind.label}”的结对对象应为{_LEVEL_ZH.get(spec.target_type, spec.target_type)}，"
            f"不是{_LEVEL_ZH.get(target.level, target.level)}",
        )


def _check_kind_rules(kind: PairingKind, helper: Helper, target: Target, policy: PairingPolicy) -> None:
    if (
        kind in (PairingKind.FIRST_SECRETARY_VILLAGE, PairingKind.WORK_TEAM_VILLAGE)
        and not target.poor_village
    ):
        raise _refuse(
            "poor_village_only",
            f"village {target.id} is not a poor village",
            detail_zh=f"村 {target.id} 不是贫困村",
        )
    if kind is PairingKind.DOCTOR_VILLAGE:
        if not target.old_area_village:
            raise _refuse(
                "old_area_village_only",
                f"village {target.id} is not an old-area village",
                detail_zh=f"村 {target.id} 不是老区村",
            )
        shortfall = doctor_shortfall(helper, policy)
        if shortfall:
            raise _refuse("doctor_qualification", shortfall, detail_zh=doctor_shortfall_zh(helper, policy))
    if kind is PairingKind.ENTERPRISE_VILLAGE and policy.enterprise_target_must_be_old_area:
        # Kaiping 五(十)2: 以新时期精准扶贫重点帮扶老区村为帮扶对象 — an old-area village that is also a
        # key village of the round (the registry's old_area_village and key_village flags)
        if not target.old_area_village:
            raise _refuse(
                "old_area_village_only",
                f"{policy.name}: enterprises pair with key old-area villages; village {target.id} "
                "is not an old-area village",
                detail_zh=f"百企扶百村以重点帮扶老区村为帮扶对象，村 {target.id} 不是老区村",
            )
        if not target.key_village:
            raise _refuse(
                "key_old_area_village_only",
                f"{policy.name}: enterprises pair with key old-area villages (重点帮扶老区村); "
                f"village {target.id} is an old-area village but not a key village",
                detail_zh=f"百企扶百村以重点帮扶老区村为帮扶对象，村 {target.id} 是老区村，但不是重点帮扶村",
            )
    if kind is PairingKind.VOLUNTEER_TEAM_HOUSEHOLD:
        needed = policy.volunteer_team_min_party_members
        if helper.party_member_count < needed:
            raise _refuse(
                "volunteer_team_size",
                f"a 10+1 team needs at least {needed} party members; "
                f"this team has {helper.party_member_count}",
                detail_zh=f"“10+1”帮扶小组须有{needed}名以上党员义工，该小组只有{helper.party_member_count}名",
            )
    if kind is PairingKind.LEADER_AREA:
        _check_leader(helper, target, policy)
    if kind is PairingKind.COUNTY_COUNTY and helper.area_code == target.id:
        raise _refuse(
            "distinct_counties", "a county cannot pair with itself", detail_zh="一个县不能与自己结对"
        )


def _check_leader(helper: Helper, target: Target, policy: PairingPolicy) -> None:
    allowed = policy.leader_links.get(helper.level or "", frozenset())
    if target.level not in allowed:
        levels = ", ".join(sorted(allowed)) or "nothing"
        leader_zh = _LEVEL_ZH.get(helper.level or "", helper.level or "未登记层级")
        raise _refuse(
            "leader_link_level",
            f"a {helper.level} leader links with {levels} under the {policy.name} policy, "
            f"not a {target.level}",
            detail_zh=f"按{_policy_zh(policy)}政策，{leader_zh}级领导联系{_levels_zh(allowed)}，"
            f"不联系{_LEVEL_ZH.get(target.level, target.level)}",
        )
    if not target.area_code.startswith(area_prefix(helper.area_code, helper.level or "village")):
        raise _refuse(
            "leader_outside_area",
            f"{target.id} is outside the leader's {helper.level}",
            detail_zh=f"{target.id} 不在该领导所在的{_LEVEL_ZH.get(helper.level or '', '')}范围内",
        )


def check_open(
    kind: PairingKind,
    helper: Helper,
    target: Target,
    *,
    helper_pairings: Sequence[ActivePairing],
    target_pairings: Sequence[ActivePairing],
    policy: PairingPolicy,
    today: date,
    team_villages: Sequence[str] = (),
) -> None:
    """Refuse (raise) unless ``helper`` may now start a ``kind`` pairing with ``target``.

    ``helper_pairings`` / ``target_pairings``: the active pairings of the helper / the target;
    ``team_villages``: where the helper's work team is resident (a first secretary leads it there).
    """
    spec = KIND_SPECS[kind]
    if helper.kind not in spec.helper_kinds:
        allowed = ", ".join(sorted(spec.helper_kinds))
        raise _refuse(
            "helper_kind",
            f"{kind} needs a helper of kind {allowed}, not {helper.kind}",
            detail_zh=f"“{kind.label}”需要的帮扶力量类别不是“{HelperKind(helper.kind).label}”",
        )
    if not helper.active:
        raise _refuse(
            "helper_active",
            f"helper {helper.id} has left and cannot take new pairings",
            detail_zh=f"帮扶责任人 {helper.id} 已离开，不能再结对",
        )
    _check_target_type(kind, spec, target)
    if target.level == "household":
        refusal = _unpairable(target, today=today)
        if refusal:
            raise HouseholdNotPairable(refusal[0], detail_zh=refusal[1], household_id=target.id)
    if any(p.kind is kind and p.helper_id == helper.id for p in target_pairings):
        raise _refuse(
            "duplicate",
            f"helper {helper.id} is already paired with {target.id} as {kind}",
            detail_zh=f"帮扶责任人 {helper.id} 已以“{kind.label}”与 {target.id} 结对",
        )
    _check_kind_rules(kind, helper, target, policy)
    if spec.one_per_target and any(p.kind is kind for p in target_pairings):
        raise _refuse(
            "one_per_target",
            f"{target.id} already has an active {kind} pairing",
            detail_zh=f"{target.id} 已有在帮的“{kind.label}”结对",
        )
    if spec.one_per_helper and any(p.kind is kind for p in helper_pairings):
        raise _refuse(
            "one_per_helper",
            f"helper {helper.id} already has an active {kind} pairing",
            detail_zh=f"帮扶责任人 {helper.id} 已有在帮的“{kind.label}”结对",
        )
    if (
        kind is PairingKind.ENTERPRISE_VILLAGE
        and policy.enterprise_one_village_each
        and (held := [p.target_id for p in helper_pairings if p.kind is kind])
    ):
        raise _refuse(
            "one_village_per_enterprise",
            f"{policy.name}: 一村一企业 — enterprise {helper.id} already helps village {held[0]}",
            detail_zh=f"一村一企业：该企业已帮扶村 {held[0]}，一个企业只能结对一个村",
        )
    if (
        kind is PairingKind.COUNTY_COUNTY
        and policy.county_pairs
        and (helper.area_code, target.id) not in policy.county_pairs
    ):
        raise _refuse(
            "county_pair_not_in_policy",
            f"{helper.area_code} – {target.id} is not one of the {policy.name} policy's "
            f"{len(policy.county_pairs)} mountain-sea pairs; a policy record must add it first",
            detail_zh=(
                f"{helper.area_code} 与 {target.id} 不在政策列明的山海协作县结对中，须先由政策记录增加"
            ),
        )
    if kind is PairingKind.FIRST_SECRETARY_VILLAGE and team_villages and target.id not in team_villages:
        raise _refuse(
            "team_village",
            f"the first secretary's work team is resident in {', '.join(team_villages)}, not {target.id}",
            detail_zh=f"第一书记所在的驻村工作队驻在 {'、'.join(team_villages)}，不在 {target.id}",
        )
    if kind is PairingKind.CADRE_HOUSEHOLD:
        load = sum(1 for p in helper_pairings if p.kind is kind)
        if load >= policy.cadre_household_cap:
            raise _refuse(
                "cadre_cap",
                f"cadre {helper.id} already has {load} households; the {policy.name} cap is "
                f"{policy.cadre_household_cap}",
                f"干部 {helper.id} 已结对{load}户，按{_policy_zh(policy)}政策每名干部最多结对"
                f"{policy.cadre_household_cap}户",
            )
