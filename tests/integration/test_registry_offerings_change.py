"""Registry: changing, publishing and cancelling offerings, the audit trail, and tenancy."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.registry import (
    Json,
    bearer,
    make_affiliate,
    make_offering,
    make_program,
    outbox_events,
    registry_client,
)
from tests.support.tokens import educator_token, next_person_id

EDUCATOR = bearer(educator_token(next_person_id(), "someone@schools.example.org"))


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


@pytest.fixture(scope="module")
def owner(client: TestClient, admin_headers: dict[str, str]) -> Json:
    return make_affiliate(client, admin_headers)


@pytest.fixture(scope="module")
def stranger(client: TestClient, admin_headers: dict[str, str]) -> Json:
    return make_affiliate(client, admin_headers, state="WA", timezone="America/Los_Angeles")


@pytest.fixture(scope="module")
def code(client: TestClient, admin_headers: dict[str, str]) -> str:
    return str(make_program(client, admin_headers)["code"])


@pytest.fixture()
def draft(client: TestClient, owner: Json, code: str) -> Json:
    return make_offering(client, owner["headers"], code)


def patch(client: TestClient, offering: Json, headers: dict[str, str], body: Json) -> Any:
    return client.patch(f"/offerings/{offering['id']}", json=body, headers=headers)


def audit(client: TestClient, offering: Json, headers: dict[str, str]) -> list[Json]:
    response = client.get(f"/offerings/{offering['id']}/audit", headers=headers)
    assert response.status_code == 200, response.text
    items: list[Json] = response.json()["items"]
    return items


def test_patch_a_draft_changes_fields_and_audits_without_an_event(
    client: TestClient, owner: Json, draft: Json
) -> None:
    response = patch(client, draft, owner["headers"], {"title": "New title", "capacity": 12})
    assert response.status_code == 200
    assert response.json()["title"] == "New title"
    assert response.json()["capacity"] == 12
    entries = audit(client, draft, owner["headers"])
    assert [entry["action"] for entry in entries] == ["create", "update"]
    update = entries[1]
    assert update["actor_role"] == "affiliate"
    assert update["actor_name"].startswith(f"Member of {owner['id']} (person ")
    assert update["changes"] == {
        "title": {"from": "Implicit Bias, spring cohort", "to": "New title"},
        "capacity": {"from": 20, "to": 12},
    }
    assert update["at"].endswith("Z") or update["at"].endswith("+00:00")
    assert outbox_events(draft["id"]) == []


def test_patch_meetings_keeps_moves_adds_and_removes_by_id(
    client: TestClient, owner: Json, draft: Json
) -> None:
    first, second = draft["meetings"]
    body = {
        "meetings": [
            {"id": second["id"], "starts_at": "2027-03-18T13:00", "ends_at": "2027-03-18T16:00"},
            {"starts_at": "2027-03-24T09:00", "ends_at": "2027-03-24T12:00"},
        ]
    }
    response = patch(client, draft, owner["headers"], body)
    assert response.status_code == 200, response.text
    moved, added = response.json()["meetings"]
    assert moved["id"] == second["id"]
    assert moved["starts_at"] == "2027-03-18T13:00:00-04:00"
    assert added["id"] not in (first["id"], second["id"])
    entry = audit(client, draft, owner["headers"])[-1]
    assert list(entry["changes"]) == ["meetings"]
    assert [m["id"] for m in entry["changes"]["meetings"]["from"]] == [first["id"], second["id"]]


def test_patch_that_changes_nothing_writes_no_audit(
    client: TestClient, owner: Json, draft: Json
) -> None:
    same = [
        {"id": m["id"], "starts_at": m["starts_at"][:16], "ends_at": m["ends_at"][:16]}
        for m in draft["meetings"]
    ]
    response = patch(client, draft, owner["headers"], {"title": draft["title"], "meetings": same})
    assert response.status_code == 200
    assert response.json()["updated_at"] == draft["updated_at"]
    assert [entry["action"] for entry in audit(client, draft, owner["headers"])] == ["create"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": None}, ["title"]),
        ({"capacity": 0}, ["capacity"]),
        ({"capacity": None}, ["capacity"]),
        ({"max_cohorts": 0}, ["max_cohorts"]),
        ({"meetings": []}, ["meetings"]),
        ({"meetings": None}, ["meetings"]),
        ({"venue": None}, ["venue"]),
        ({"join_url": "https://meet.example.org/x"}, ["join_url"]),
        (
            {
                "meetings": [
                    {"id": 1, "starts_at": "2027-03-10T09:00", "ends_at": "2027-03-10T10:00"}
                ]
            },
            ["meetings", 0, "id"],
        ),
        (
            {"meetings": [{"starts_at": "2027-03-14T02:30", "ends_at": "2027-03-14T04:00"}]},
            ["meetings", 0, "starts_at"],
        ),
        (
            {"meetings": [{"starts_at": "2027-11-07T01:30", "ends_at": "2027-11-07T04:00"}]},
            ["meetings", 0, "starts_at"],
        ),
        ({"registration_closes_at": "2027-04-01T09:00"}, ["registration_closes_at"]),
    ],
)
def test_patch_refuses_bad_input_and_leaves_no_trace(
    client: TestClient, owner: Json, draft: Json, body: Json, field: list[Any]
) -> None:
    response = patch(client, draft, owner["headers"], body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][1:] == field
    assert client.get(f"/offerings/{draft['id']}", headers=owner["headers"]).json() == draft
    assert len(audit(client, draft, owner["headers"])) == 1


def test_duplicate_meeting_id_in_patch(client: TestClient, owner: Json, draft: Json) -> None:
    meeting_id = draft["meetings"][0]["id"]
    body = {
        "meetings": [
            {"id": meeting_id, "starts_at": "2027-03-10T09:00", "ends_at": "2027-03-10T10:00"},
            {"id": meeting_id, "starts_at": "2027-03-11T09:00", "ends_at": "2027-03-11T10:00"},
        ]
    }
    response = patch(client, draft, owner["headers"], body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "meetings", 1, "id"]


def test_null_clears_optional_fields(client: TestClient, owner: Json, draft: Json) -> None:
    body = {"registration_closes_at": None, "description": None}
    changed = patch(client, draft, owner["headers"], body).json()
    assert changed["registration_closes_at"] is None and changed["description"] == ""


def test_operator_may_change_any_offering_and_is_audited_as_operator(
    client: TestClient, admin_headers: dict[str, str], draft: Json
) -> None:
    response = patch(client, draft, admin_headers, {"max_cohorts": 3})
    assert response.status_code == 200
    entry = audit(client, draft, admin_headers)[-1]
    assert entry["actor_role"] == "operator" and entry["actor_name"].startswith("Olga (person ")


def test_publish_is_idempotent_and_cancelled_cannot_be_published(
    client: TestClient, owner: Json, draft: Json
) -> None:
    path = f"/offerings/{draft['id']}"
    for _ in range(2):
        response = client.post(f"{path}/publish", headers=owner["headers"])
        assert response.status_code == 200
        assert response.json() == {"id": draft["id"], "status": "published"}
    assert len(outbox_events(draft["id"], "offering.published")) == 1
    cancel = client.post(
        f"{path}/cancel", json={"reason": "Venue closed"}, headers=owner["headers"]
    )
    assert cancel.json() == {"id": draft["id"], "status": "cancelled"}
    again = client.post(f"{path}/cancel", json={"reason": "twice"}, headers=owner["headers"])
    assert again.status_code == 200
    assert client.post(f"{path}/publish", headers=owner["headers"]).status_code == 409
    assert patch(client, draft, owner["headers"], {"title": "Late"}).status_code == 409
    actions = [entry["action"] for entry in audit(client, draft, owner["headers"])]
    assert actions == ["create", "publish", "cancel"]
    cancelled = audit(client, draft, owner["headers"])[-1]["changes"]
    assert cancelled == {
        "status": {"from": "published", "to": "cancelled"},
        "reason": "Venue closed",
    }


def test_cancel_a_draft_without_body_emits_nothing(
    client: TestClient, owner: Json, draft: Json
) -> None:
    response = client.post(f"/offerings/{draft['id']}/cancel", headers=owner["headers"])
    assert response.status_code == 200
    assert outbox_events(draft["id"]) == []
    view = client.get(f"/offerings/{draft['id']}", headers=owner["headers"]).json()
    assert view["status"] == "cancelled" and view["cancel_reason"] == ""


def test_publishing_an_offering_that_already_started_is_a_conflict(
    client: TestClient, owner: Json, code: str
) -> None:
    past = {
        "meetings": [{"starts_at": "2020-03-10T09:00", "ends_at": "2020-03-10T12:00"}],
        "registration_closes_at": None,
    }
    offering = make_offering(client, owner["headers"], code, **past)
    response = client.post(f"/offerings/{offering['id']}/publish", headers=owner["headers"])
    assert response.status_code == 409


def test_another_affiliate_can_never_read_a_draft_of_or_change_an_offering(
    client: TestClient, owner: Json, stranger: Json, code: str, admin_headers: dict[str, str]
) -> None:
    draft = make_offering(client, owner["headers"], code)
    published = make_offering(client, owner["headers"], code)
    client.post(f"/offerings/{published['id']}/publish", headers=admin_headers)
    theirs = stranger["headers"]
    assert client.get(f"/offerings/{draft['id']}", headers=theirs).status_code == 404
    assert client.get(f"/offerings/{published['id']}", headers=theirs).status_code == 200
    for offering in (draft, published):
        path = f"/offerings/{offering['id']}"
        assert patch(client, offering, theirs, {"title": "Mine now"}).status_code == 404
        assert client.post(f"{path}/publish", headers=theirs).status_code == 404
        assert client.post(f"{path}/cancel", json={}, headers=theirs).status_code == 404
        assert client.get(f"{path}/audit", headers=theirs).status_code == 404
    assert client.get(f"/offerings/{draft['id']}", headers=owner["headers"]).json() == draft
    assert client.get(f"/offerings/{published['id']}").json()["status"] == "published"


def test_roles_and_missing_offerings_on_change_routes(
    client: TestClient, owner: Json, draft: Json
) -> None:
    path = f"/offerings/{draft['id']}"
    calls = [
        ("PATCH", path, {"title": "x"}),
        ("POST", f"{path}/publish", None),
        ("POST", f"{path}/cancel", {"reason": "x"}),
        ("GET", f"{path}/audit", None),
    ]
    for method, url, body in calls:
        assert client.request(method, url, json=body).status_code == 401
        assert client.request(method, url, json=body, headers=bearer("x.y.z")).status_code == 401
        assert client.request(method, url, json=body, headers=EDUCATOR).status_code == 403
        missing = url.replace(str(draft["id"]), "999999999")
        assert (
            client.request(method, missing, json=body, headers=owner["headers"]).status_code == 404
        )
