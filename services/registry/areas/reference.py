"""Reference places of the seeds, loadable as one area tree.

Province, city and county codes are the published GB/T 2260 codes listed in DOMAIN.md. Every
township and village code below them is SYNTHETIC (invented, flagged ``synthetic_code``): replace
them with the statistics bureau's codes before production use. Populations and collective incomes
are invented too.
"""

from __future__ import annotations

from services.registry.areas.schemas import AreaIn, CollectiveIncome

__all__ = [
    "CHISHUI",
    "CHISHUI_KEY_VILLAGES",
    "CHISHUI_OTHER_VILLAGES",
    "QUANZHOU_VILLAGES",
    "reference_areas",
]

CHISHUI = "440783105000"  # 赤水镇 (township digits synthetic; the funds service uses the same code)
# Seed 004: 步栏、林屋、三合、长塘、松南、高龙、高山 — the 7 key old-area villages.
CHISHUI_KEY_VILLAGES = {
    "440783105201": "步栏村",
    "440783105202": "林屋村",
    "440783105203": "三合村",
    "440783105204": "长塘村",
    "440783105205": "松南村",
    "440783105206": "高龙村",
    "440783105207": "高山村",
}
# Other places in the town holding allowance households (names invented).
CHISHUI_OTHER_VILLAGES = {
    "440783105001": "赤水圩社区",
    "440783105208": "东坑村",
    "440783105209": "沙洲村",
}

_COUNTIES = {
    "350502": "鲤城区",
    "350503": "丰泽区",
    "350504": "洛江区",
    "350505": "泉港区",
    "350521": "惠安县",
    "350524": "安溪县",
    "350525": "永春县",
    "350526": "德化县",
    "350581": "石狮市",
    "350582": "晋江市",
    "350583": "南安市",
}
# Mountain-sea pair counties outside Quanzhou (seed 002).
_PARTNER_CITIES = {"3504": "三明市", "3507": "南平市", "3508": "龙岩市", "3509": "宁德市"}
_PARTNER_COUNTIES = {
    "350421": "明溪县",
    "350424": "宁化县",
    "350721": "顺昌县",
    "350723": "光泽县",
    "350725": "政和县",
    "350821": "长汀县",
    "350922": "古田县",
}
# Quanzhou pairing villages in the inland counties: 28 city-dispatched (seed 002 §十一),
# plus 2 province- and 2 county-dispatched ones. (county, dispatch level, how many)
_QUANZHOU_PLAN = [
    ("350524", "city", 10),
    ("350525", "city", 6),
    ("350526", "city", 6),
    ("350583", "city", 6),
    ("350524", "province", 2),
    ("350526", "county", 2),
]


def _quanzhou_villages() -> dict[str, tuple[str, str, int]]:
    """code -> (name, dispatch level, collective income in yuan)."""
    villages: dict[str, tuple[str, str, int]] = {}
    serial: dict[str, int] = {}
    for county, level, count in _QUANZHOU_PLAN:
        for _ in range(count):
            n = serial[county] = serial.get(county, 0) + 1
            code = f"{county}101{200 + n:03d}"
            income = (6_000, 18_000, 45_000)[n % 3]  # some under 10,000, some under 30,000 (seed 002)
            villages[code] = (f"{_COUNTIES[county]}帮扶{n:02d}村", level, income)
    return villages


QUANZHOU_VILLAGES = _quanzhou_villages()
# 2018 collective operating income of the i-th pairing village (fen), around seed 002's 1万元
# threshold: exactly 10,000.00, 9,999.99, 24,000, 52,000, and none recorded (unknown).
_INCOME_2018 = (1_000_000, 999_999, 2_400_000, 5_200_000, None)


def _income_2018(i: int) -> list[CollectiveIncome]:
    fen = _INCOME_2018[i % len(_INCOME_2018)]
    return [] if fen is None else [CollectiveIncome(year=2018, amount_fen=fen)]


def reference_areas() -> list[AreaIn]:
    a = AreaIn
    tree = [
        a(code="440000000000", name="广东省"),
        a(code="440700000000", name="江门市"),
        a(code="440783000000", name="开平市", rural_population=480_000),
        a(code=CHISHUI, name="赤水镇", synthetic_code=True),
        *(
            a(
                code=c,
                name=n,
                old_area_village=True,
                key_village=True,
                poor_village=True,
                rural_population=1_900 + 150 * i,
                synthetic_code=True,
            )
            for i, (c, n) in enumerate(CHISHUI_KEY_VILLAGES.items())
        ),
        *(
            a(code=c, name=n, rural_population=2_600 + 300 * i, synthetic_code=True)
            for i, (c, n) in enumerate(CHISHUI_OTHER_VILLAGES.items())
        ),
        a(code="350000000000", name="福建省"),
        a(code="350500000000", name="泉州市"),
        *(a(code=f"{c}000000", name=n) for c, n in _COUNTIES.items()),
        *(a(code=f"{c}00000000", name=n) for c, n in _PARTNER_CITIES.items()),
        *(a(code=f"{c}000000", name=n) for c, n in _PARTNER_COUNTIES.items()),
        *(
            a(code=f"{c}101000", name=f"{n}示范镇", synthetic_code=True)
            for c, n in _COUNTIES.items()
            if any(v.startswith(c) for v in QUANZHOU_VILLAGES)
        ),
        *(
            a(
                code=c,
                name=n,
                poor_village=True,
                pairing_dispatch_level=level,
                rural_population=1_200,
                synthetic_code=True,
                collective_income=[
                    CollectiveIncome(year=2017, amount_fen=income * 100),
                    *_income_2018(i),
                ],
            )
            for i, (c, (n, level, income)) in enumerate(QUANZHOU_VILLAGES.items())
        ),
        a(code="210000000000", name="辽宁省"),
        a(code="210700000000", name="锦州市"),
        a(code="510000000000", name="四川省"),
        a(code="510800000000", name="广元市"),
        a(code="620000000000", name="甘肃省"),
    ]
    return tree
