"""Scheduler API for people: educators, facilitators and a facilitator's assignments."""

import secrets

import pytest
from fastapi.testclient import TestClient

from tests.support.scheduler import (
    new_educator,
    new_facilitator,
    offering_state,
    program_code,
    publish,
)
from tests.support.tokens import bearer, member_token


def _email() -> str:
    return f"Person.{secrets.token_hex(4)}@Example.org"


def _facilitator_body(**changes: object) -> dict[str, object]:
    return {
        "name": "Dana Reyes",
        "email": _email(),
        "timezone": "America/Chicago",
        "certifications": ["implicit-bias"],
        "home_state": "IL",
        "max_sessions_per_month": 6,
        "availability": [{"weekday": 0, "start": "08:00", "end": "17:00"}],
        **changes,
    }


def test_operator_adds_an_educator_who_gets_no_token(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    email = _email()
    body = {"name": "Ana Ruiz", "email": email}
    response = client.post("/educators", json=body, headers=admin_headers)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["name"] == "Ana Ruiz" and created["email"] == email
    assert "token" not in created
    assert client.post("/educators", json=body).status_code == 401
    educator = new_educator(client)
    assert client.post("/educators", json=body, headers=educator["headers"]).status_code == 403


def test_educator_email_is_unique_regardless_of_case(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    email = _email()
    first = client.post("/educators", json={"name": "A", "email": email}, headers=admin_headers)
    assert first.status_code == 201
    again = client.post(
        "/educators", json={"name": "B", "email": email.upper()}, headers=admin_headers
    )
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "A", "email": "not-an-email"}, "email"),
        ({"name": "", "email": "a@b.org"}, "name"),
        ({"name": "A", "email": "a@b.org", "timezone": "Mars/Olympus"}, "timezone"),
        ({"email": "a@b.org"}, "name"),
    ],
)
def test_educator_bad_input_names_the_field(
    client: TestClient, admin_headers: dict[str, str], body: dict[str, str], field: str
) -> None:
    response = client.post("/educators", json=body, headers=admin_headers)
    assert response.status_code == 422
    assert field in response.json()["detail"][0]["loc"]


def test_facilitator_created_by_operator_or_affiliate(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    response = client.post("/facilitators", json=_facilitator_body(), headers=admin_headers)
    assert response.status_code == 201
    body = response.json()
    assert body["certifications"] == ["implicit-bias"] and body["home_state"] == "IL"
    assert body["availability"] == [{"weekday": 0, "start": "08:00", "end": "17:00"}]
    assert "token" not in body and body["affiliate_id"] is None
    admin = bearer(member_token(77, "admin"))
    by_affiliate = client.post("/facilitators", json=_facilitator_body(), headers=admin)
    assert by_affiliate.status_code == 201 and by_affiliate.json()["affiliate_id"] == 77
    editor = bearer(member_token(77, "editor"))
    assert client.post("/facilitators", json=_facilitator_body(), headers=editor).status_code == 403
    # Their own affiliate's admins read them; its editors and other affiliates do not.
    own = f"/facilitators/{by_affiliate.json()['id']}"
    assert client.get(own, headers=admin).json() == by_affiliate.json()
    assert client.get(own, headers=editor).status_code == 404
    assert client.get(own, headers=bearer(member_token(78, "admin"))).status_code == 404
    assert client.get(f"/facilitators/{body['id']}", headers=admin).status_code == 404


def test_facilitator_needs_operator_or_affiliate(client: TestClient) -> None:
    assert client.post("/facilitators", json=_facilitator_body()).status_code == 401
    bad = client.post("/facilitators", json=_facilitator_body(), headers=bearer("forged"))
    assert bad.status_code == 401
    educator = new_educator(client)
    forbidden = client.post("/facilitators", json=_facilitator_body(), headers=educator["headers"])
    assert forbidden.status_code == 403


def test_facilitator_email_is_unique(client: TestClient, admin_headers: dict[str, str]) -> None:
    body = _facilitator_body()
    assert client.post("/facilitators", json=body, headers=admin_headers).status_code == 201
    body["email"] = str(body["email"]).lower()
    assert client.post("/facilitators", json=body, headers=admin_headers).status_code == 409


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"timezone": "Central"}, ["body", "timezone"]),
        ({"home_state": "Ohio"}, ["body", "home_state"]),
        ({"max_sessions_per_month": -1}, ["body", "max_sessions_per_month"]),
        (
            {"availability": [{"weekday": 7, "start": "08:00", "end": "17:00"}]},
            ["body", "availability", 0, "weekday"],
        ),
        (
            {"availability": [{"weekday": 1, "start": "17:00", "end": "08:00"}]},
            ["body", "availability", 0],
        ),
        (
            {"availability": [{"weekday": 1, "start": "8am", "end": "17:00"}]},
            ["body", "availability", 0, "start"],
        ),
    ],
)
def test_facilitator_bad_input_names_the_field(
    client: TestClient, admin_headers: dict[str, str], changes: dict[str, object], loc: list[object]
) -> None:
    response = client.post(
        "/facilitators", json=_facilitator_body(**changes), headers=admin_headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc


def test_facilitator_list_is_for_the_operator(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    new_facilitator(client, admin_headers, program_code())
    page = client.get("/facilitators?limit=1", headers=admin_headers)
    assert page.status_code == 200
    assert len(page.json()["items"]) == 1 and page.json()["total"] >= 1
    assert client.get("/facilitators?limit=101", headers=admin_headers).status_code == 422
    affiliate = bearer(member_token(1))
    assert client.get("/facilitators", headers=affiliate).status_code == 403
    assert client.get("/facilitators").status_code == 401


def test_facilitator_sees_own_assignments_with_meetings(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state = offering_state()
    facilitator = new_facilitator(client, admin_headers, state.program_code)
    other = new_facilitator(client, admin_headers, program_code())
    publish(state)
    own = client.get(
        f"/facilitators/{facilitator['id']}/assignments", headers=facilitator["headers"]
    )
    assert own.status_code == 200
    (item,) = own.json()["items"]
    assert item["offering_id"] == state.id and item["cohort_index"] == 1
    assert "certified for" in item["explanation"]
    assert [m["id"] for m in item["meetings"]] == [m.id for m in state.meetings]
    assert item["meetings"][0]["starts_at"] == "2027-03-10T09:00:00-05:00"
    by_operator = client.get(
        f"/facilitators/{facilitator['id']}/assignments", headers=admin_headers
    )
    assert by_operator.json() == own.json()
    peek = client.get(f"/facilitators/{facilitator['id']}/assignments", headers=other["headers"])
    assert peek.status_code == 404
    educator = new_educator(client)
    denied = client.get(
        f"/facilitators/{facilitator['id']}/assignments", headers=educator["headers"]
    )
    assert denied.status_code == 403
    assert client.get("/facilitators/999999/assignments", headers=admin_headers).status_code == 404


def test_service_answers_health_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json()["ready"] is True
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/educators", "/facilitators", "/registrations", "/assignments/plan"):
        assert path in paths
