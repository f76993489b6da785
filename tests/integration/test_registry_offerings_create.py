"""Registry: creating offerings — the happy paths, DST rules and every refusal with its field."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.registry import (
    Json,
    bearer,
    make_affiliate,
    make_program,
    offering_body,
    registry_client,
)
from tests.support.tokens import educator_token, next_person_id


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


@pytest.fixture(scope="module")
def affiliate(client: TestClient, admin_headers: dict[str, str]) -> Json:
    return make_affiliate(client, admin_headers, state="OH")


@pytest.fixture(scope="module")
def program(client: TestClient, admin_headers: dict[str, str]) -> Json:
    return make_program(
        client, admin_headers, max_participants=25, pd_hours=6.0, facilitators_required=2
    )


def post(client: TestClient, affiliate: Json, body: Json) -> Any:
    return client.post("/offerings", json=body, headers=affiliate["headers"])


def test_create_in_person_offering_as_a_draft(
    client: TestClient, affiliate: Json, program: Json
) -> None:
    response = post(client, affiliate, offering_body(program["code"]))
    assert response.status_code == 201
    offering = response.json()
    assert offering["status"] == "draft"
    assert offering["affiliate_id"] == affiliate["id"]
    assert offering["affiliate_state"] == "OH"
    assert offering["program_code"] == program["code"]
    assert offering["pd_hours"] == 6.0
    assert offering["facilitators_required"] == 2
    assert offering["venue"]["city"] == "Columbus"
    assert offering["join_url"] is None
    assert offering["registration_closes_at"] == "2027-03-08T17:00:00-05:00"
    assert offering["registration_closes_at_utc"] == "2027-03-08T22:00:00Z"
    first, second = offering["meetings"]
    assert first == {
        "id": first["id"],
        "starts_at": "2027-03-10T09:00:00-05:00",
        "starts_at_utc": "2027-03-10T14:00:00Z",
        "ends_at": "2027-03-10T12:00:00-05:00",
        "ends_at_utc": "2027-03-10T17:00:00Z",
        "timezone": "America/New_York",
    }
    assert second["starts_at"] == "2027-03-17T09:00:00-04:00"
    assert second["starts_at_utc"] == "2027-03-17T13:00:00Z"
    assert isinstance(first["id"], int) and first["id"] != second["id"]


def test_meetings_come_back_in_time_order(
    client: TestClient, affiliate: Json, program: Json
) -> None:
    meetings = [
        {"starts_at": "2027-05-17T09:00", "ends_at": "2027-05-17T12:00"},
        {"starts_at": "2027-05-10T09:00", "ends_at": "2027-05-10T12:00"},
    ]
    body = offering_body(program["code"], meetings=meetings, registration_closes_at=None)
    offering = post(client, affiliate, body).json()
    assert [m["starts_at"][:10] for m in offering["meetings"]] == ["2027-05-10", "2027-05-17"]


def test_create_virtual_and_hybrid_offerings(
    client: TestClient, affiliate: Json, program: Json
) -> None:
    virtual = offering_body(
        program["code"], format="virtual", venue=None, join_url="https://meet.example.org/ib"
    )
    assert post(client, affiliate, virtual).status_code == 201
    hybrid = offering_body(program["code"], format="hybrid", join_url="https://meet.example.org/h")
    created = post(client, affiliate, hybrid).json()
    assert created["format"] == "hybrid" and created["join_url"] == "https://meet.example.org/h"


def test_fold_time_with_its_offset_is_accepted(
    client: TestClient, affiliate: Json, program: Json
) -> None:
    meetings = [
        {"starts_at": "2027-11-07T01:00-04:00", "ends_at": "2027-11-07T01:45-04:00"},
        {"starts_at": "2027-11-07T01:30-05:00", "ends_at": "2027-11-07T03:00"},
    ]
    body = offering_body(program["code"], meetings=meetings, registration_closes_at=None)
    response = post(client, affiliate, body)
    assert response.status_code == 201, response.text
    first, second = response.json()["meetings"]
    assert first["ends_at"] == "2027-11-07T01:45:00-04:00"
    assert first["ends_at_utc"] == "2027-11-07T05:45:00Z"
    assert second["starts_at"] == "2027-11-07T01:30:00-05:00"
    assert second["starts_at_utc"] == "2027-11-07T06:30:00Z"


def meetings(start: str, end: str) -> dict[str, Any]:
    return {"meetings": [{"starts_at": start, "ends_at": end}], "registration_closes_at": None}


REFUSALS = [
    pytest.param({"program_code": "no-such-program"}, ["program_code"], id="unknown-program"),
    pytest.param({"timezone": "Mars/Olympus"}, ["timezone"], id="unknown-zone"),
    pytest.param({"timezone": "EST"}, ["timezone"], id="legacy-zone-name"),
    pytest.param({"capacity": 0}, ["capacity"], id="capacity-zero"),
    pytest.param({"capacity": 26}, ["capacity"], id="capacity-over-program"),
    pytest.param({"max_cohorts": 0}, ["max_cohorts"], id="max-cohorts-zero"),
    pytest.param({"meetings": []}, ["meetings"], id="no-meetings"),
    pytest.param({"format": "carrier-pigeon"}, ["format"], id="unknown-format"),
    pytest.param({"venue": None}, ["venue"], id="in-person-without-venue"),
    pytest.param({"join_url": "https://x.org/j"}, ["join_url"], id="in-person-with-link"),
    pytest.param({"format": "virtual"}, ["venue"], id="virtual-with-venue"),
    pytest.param({"format": "virtual", "venue": None}, ["join_url"], id="virtual-without-link"),
    pytest.param({"format": "hybrid"}, ["join_url"], id="hybrid-without-link"),
    pytest.param({"join_url": "meet.example.org"}, ["join_url"], id="relative-link"),
    pytest.param(
        {"venue": {"name": "L", "address": "A", "city": "C", "state": "Ohio"}},
        ["venue", "state"],
        id="venue-state",
    ),
    pytest.param(
        meetings("2027-03-10T12:00", "2027-03-10T09:00"),
        ["meetings", 0, "ends_at"],
        id="end-before-start",
    ),
    pytest.param(
        meetings("2027-03-10T09:00", "2027-03-10T09:00"),
        ["meetings", 0, "ends_at"],
        id="end-equals-start",
    ),
    pytest.param(
        {
            "meetings": [
                {"starts_at": "2027-03-10T09:00", "ends_at": "2027-03-10T12:00"},
                {"starts_at": "2027-03-10T11:00", "ends_at": "2027-03-10T13:00"},
            ]
        },
        ["meetings", 1, "starts_at"],
        id="overlapping",
    ),
    pytest.param(
        meetings("2027-03-14T02:30", "2027-03-14T04:00"),
        ["meetings", 0, "starts_at"],
        id="dst-gap",
    ),
    pytest.param(
        meetings("2027-11-07T00:30", "2027-11-07T01:30"),
        ["meetings", 0, "ends_at"],
        id="dst-fold-without-offset",
    ),
    pytest.param(
        meetings("2027-11-07T01:30-06:00", "2027-11-07T03:00"),
        ["meetings", 0, "starts_at"],
        id="dst-fold-wrong-offset",
    ),
    pytest.param(
        meetings("next tuesday", "2027-03-10T09:00"),
        ["meetings", 0, "starts_at"],
        id="not-a-time",
    ),
    pytest.param(
        {"registration_closes_at": "2027-03-12T09:00"},
        ["registration_closes_at"],
        id="closes-after-first-meeting",
    ),
    pytest.param(
        {"registration_closes_at": "2027-03-14T02:10"},
        ["registration_closes_at"],
        id="closes-in-dst-gap",
    ),
    pytest.param({"title": ""}, ["title"], id="empty-title"),
]


@pytest.mark.parametrize(("change", "field"), REFUSALS)
def test_create_refuses_bad_input_naming_the_field(
    client: TestClient, affiliate: Json, program: Json, change: Json, field: list[Any]
) -> None:
    body = {**offering_body(program["code"]), **change}
    response = post(client, affiliate, body)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"][1:] == field, detail
    assert detail[0]["msg"]


def test_dst_messages_say_why(client: TestClient, affiliate: Json, program: Json) -> None:
    gap = post(
        client,
        affiliate,
        offering_body(program["code"], **meetings("2027-03-14T02:30", "2027-03-14T04:00")),
    )
    assert "does not exist in America/New_York" in gap.json()["detail"][0]["msg"]
    fold = post(
        client,
        affiliate,
        offering_body(program["code"], **meetings("2027-11-07T01:30", "2027-11-07T03:00")),
    )
    assert "-04:00 or -05:00" in fold.json()["detail"][0]["msg"]


def test_only_an_affiliate_creates_offerings(
    client: TestClient, admin_headers: dict[str, str], program: Json
) -> None:
    body = offering_body(program["code"])
    assert client.post("/offerings", json=body).status_code == 401
    assert client.post("/offerings", json=body, headers=bearer("forged")).status_code == 401
    assert client.post("/offerings", json=body, headers=admin_headers).status_code == 403
    educator = bearer(educator_token(next_person_id(), "someone@schools.example.org"))
    assert client.post("/offerings", json=body, headers=educator).status_code == 403
