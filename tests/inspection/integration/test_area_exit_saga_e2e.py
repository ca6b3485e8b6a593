"""Village and county exit end to end, both real services over real NATS JetStream:
registry checks the criteria and asks -> inspection opens the dossier (village: township 3,
county 4, city 2; county: city 2) -> every signature (or a refusal) -> registry marks the village
or county exited with the date (or returns the request with the reason) -> inspection keeps the
exited village and the third-party evaluator can draw it; the roll-up counts it for the year.

Registry is driven through its own API with its own test helpers."""

from __future__ import annotations

import pytest

from tests.inspection.integration.helpers import app_for, signer
from tests.registry.integration.area_exit_helpers import (
    GANSU_CLERK,
    GANSU_COUNTY,
    GANSU_COUNTY_FACTORS,
    GANSU_FACTORS,
    GANSU_VILLAGE,
    GANSU_VILLAGE_299,
    declared,
    load_places,
    poor_households,
)
from tests.registry.integration.helpers import registry_app
from tests.support import auth, service_client, wait_for

pytestmark = pytest.mark.asyncio
R = "/registry/v1"
S = "/inspection/v1/signoffs"
VILLAGE_SIGNERS = [
    "township_party_secretary",
    "township_head",
    "township_poverty_station_chief",
    "county_party_secretary",
    "county_head",
    "county_poverty_office_director",
    "county_statistics_director",
    "city_party_secretary",
    "mayor",
]


async def test_village_and_county_exits_from_registry_through_inspection_and_back(make_db, nats_url) -> None:
    registry = registry_app(make_db("registry"), nats_url)
    inspection = app_for(make_db, nats_url)
    reader = auth("inspector", "620000000000")
    async with service_client(registry) as reg, service_client(inspection) as insp:
        await load_places(reg)
        await poor_households(reg, GANSU_VILLAGE, [5, 4])  # 9 of 300 = 3.00%: 降至3%以下 met
        for village in (GANSU_VILLAGE, GANSU_VILLAGE_299):  # the second has no poor household left
            r = await reg.post(
                f"{R}/areas/{village}/exit-requests",
                json={"year": 2018, "declared": declared(GANSU_FACTORS)},
                headers=GANSU_CLERK,
            )
            assert r.status_code == 201, r.text
        leaving, refused = [
            (await reg.get(f"{R}/areas/{v}/exit-requests", headers=GANSU_CLERK)).json()[0]
            for v in (GANSU_VILLAGE, GANSU_VILLAGE_299)
        ]

        async def dossier_of(req: dict) -> dict | None:
            items = (await insp.get(f"{S}?kind={req['kind']}", headers=reader)).json()["items"]
            return next((d for d in items if d["exit_request_id"] == req["id"]), None)

        ok = await wait_for(lambda: dossier_of(leaving), what="inspection opened the village dossier")
        bad = await wait_for(lambda: dossier_of(refused), what="inspection opened the second dossier")
        assert (ok["kind"], ok["area_code"], ok["scheme_code"]) == (
            "village",
            GANSU_VILLAGE,
            "gansu-village-342",
        )
        assert [c["criterion"] for c in ok["criteria"]] == ["incidence", *GANSU_FACTORS]

        # out of order is refused; then the nine sign in order
        r = await insp.post(
            f"{S}/{ok['id']}/signatures", json={"position": "mayor"}, headers=signer("mayor", GANSU_VILLAGE)
        )
        assert r.status_code == 409
        for position in VILLAGE_SIGNERS:
            r = await insp.post(
                f"{S}/{ok['id']}/signatures",
                json={"position": position},
                headers=signer(position, GANSU_VILLAGE),
            )
            assert r.status_code == 201, r.text
        assert r.json()["status"] == "verified"

        # the other village: the county head refuses once the township has signed
        for position in VILLAGE_SIGNERS[:3]:
            r = await insp.post(
                f"{S}/{bad['id']}/signatures",
                json={"position": position},
                headers=signer(position, GANSU_VILLAGE_299),
            )
            assert r.status_code == 201, r.text
        reason = "村容村貌整治未完成，产业无稳定收益"
        r = await insp.post(
            f"{S}/{bad['id']}/refusals",
            json={"position": "county_head", "reason": reason},
            headers=signer("county_head", GANSU_VILLAGE_299),
        )
        assert r.status_code == 201, r.text

        async def status_of(code: str, wanted: str) -> dict | None:
            (req,) = (await reg.get(f"{R}/areas/{code}/exit-requests", headers=GANSU_CLERK)).json()
            return req if req["status"] == wanted else None

        exited = await wait_for(
            lambda: status_of(GANSU_VILLAGE, "verified"), timeout_s=20, what="village exited"
        )
        assert exited["decided_on"]
        assert exited["dossier_id"] == ok["id"]
        status = (await reg.get(f"{R}/areas/{GANSU_VILLAGE}/exit-status", headers=GANSU_CLERK)).json()
        assert (status["exited"], status["exited_on"]) == (True, exited["decided_on"])
        back = await wait_for(lambda: status_of(GANSU_VILLAGE_299, "returned"), timeout_s=20, what="returned")
        assert back["reason"] == f"{reason}（县级签字时退回）"
        county = (await reg.get(f"{R}/rollups/{GANSU_COUNTY}?year=2018", headers=GANSU_CLERK)).json()
        assert county["exited_villages_by_year"] == {"2018": 1}

        # inspection heard of the exit: the evaluator can draw the village
        evaluator = auth("evaluator", "620000000000")
        year = int(exited["decided_on"][:4])
        body = {"area_code": GANSU_COUNTY, "year": year, "seed": "published seed", "unit": "village"}

        async def sample() -> dict | None:
            r = await insp.post("/inspection/v1/samples", json=body, headers=evaluator)
            if r.status_code == 409 and r.json()["type"].endswith("/nothing-to-sample"):
                return None  # the exited event has not reached inspection yet
            assert r.status_code == 201, r.text
            return r.json() if r.json()["population"] == 1 else None

        drawn = await wait_for(sample, timeout_s=20, what="inspection knows the exited village")
        assert [i["village_code"] for i in drawn["items"]] == [GANSU_VILLAGE]

        # the county: 9 poor of 1,099 rural (its villages' sum) = 0.82%; the city 2 sign
        r = await reg.post(
            f"{R}/areas/{GANSU_COUNTY}/exit-requests",
            json={"year": 2018, "declared": declared(GANSU_COUNTY_FACTORS)},
            headers=GANSU_CLERK,
        )
        assert r.status_code == 201, r.text
        county_req = r.json()
        cd = await wait_for(lambda: dossier_of(county_req), what="inspection opened the county dossier")
        assert cd["scheme_code"] == "gansu-county-2"
        for position in ("city_party_secretary", "mayor"):
            r = await insp.post(
                f"{S}/{cd['id']}/signatures",
                json={"position": position},
                headers=signer(position, GANSU_COUNTY),
            )
            assert r.status_code == 201, r.text
        await wait_for(lambda: status_of(GANSU_COUNTY, "verified"), timeout_s=20, what="county exited")
        city = (
            await reg.get(f"{R}/rollups/620500000000?year=2018", headers=auth("registrar", "620500000000"))
        ).json()
        assert (city["exited_villages_by_year"], city["exited_counties_by_year"]) == (
            {"2018": 1},
            {"2018": 1},
        )
