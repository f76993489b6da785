"""Registry rules: published meetings stay in the future, drafts and join links stay private."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import col

from tests.support.registry import (
    Json,
    bearer,
    make_affiliate,
    make_offering,
    make_program,
    registry_client,
)
from tests.support.tokens import educator_token, next_person_id

EDUCATOR = bearer(educator_token(next_person_id(), "someone@schools.example.org"))
LINK = "https://meet.example.org/private-room"
VIRTUAL = {"format": "virtual", "venue": None, "join_url": LINK}
PAST = {"starts_at": "2025-01-06T09:00", "ends_at": "2025-01-06T12:00"}
FUTURE = {"starts_at": "2027-09-06T09:00", "ends_at": "2027-09-06T12:00"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


@pytest.fixture(scope="module")
def world(client: TestClient, admin_headers: dict[str, str]) -> Json:
    owner = make_affiliate(client, admin_headers)
    stranger = make_affiliate(client, admin_headers, state="TX", timezone="America/Chicago")
    return {
        "owner": owner,
        "stranger": stranger,
        "code": make_program(client, admin_headers)["code"],
    }


def _offering(client: TestClient, world: Json, *, publish: bool, **extra: Any) -> Json:
    offering = make_offering(client, world["owner"]["headers"], world["code"], **extra)
    if publish:
        path = f"/offerings/{offering['id']}/publish"
        assert client.post(path, headers=world["owner"]["headers"]).status_code == 200
    return offering


def _patch(client: TestClient, world: Json, offering: Json, meetings: list[Json]) -> Any:
    body = {"meetings": meetings, "registration_closes_at": None}
    return client.patch(
        f"/offerings/{offering['id']}", json=body, headers=world["owner"]["headers"]
    )


def _kept(offering: Json, index: int) -> Json:
    meeting = offering["meetings"][index]
    local = {key: meeting[key][:16] for key in ("starts_at", "ends_at")}
    return {"id": meeting["id"], **local}


def _refused_at(response: Any, index: int) -> None:
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "meetings", index, "starts_at"]
    assert "past" in error["msg"]


def test_a_published_offering_cannot_move_or_add_meetings_into_the_past(
    client: TestClient, world: Json
) -> None:
    offering = _offering(client, world, publish=True)
    first, second = offering["meetings"]
    _refused_at(
        _patch(client, world, offering, [{"id": first["id"], **PAST}, _kept(offering, 1)]), 0
    )
    _refused_at(_patch(client, world, offering, [_kept(offering, 0), _kept(offering, 1), PAST]), 2)
    moved = _patch(client, world, offering, [{"id": first["id"], **FUTURE}, _kept(offering, 1)])
    assert moved.status_code == 200, moved.text
    assert {m["id"] for m in moved.json()["meetings"]} == {first["id"], second["id"]}


def test_a_meeting_already_held_may_stay_while_others_move(client: TestClient, world: Json) -> None:
    from services.registry.database import runtime
    from services.registry.models_offering import Meeting

    offering = _offering(client, world, publish=True)
    first = offering["meetings"][0]
    held = (datetime.now(UTC) - timedelta(days=2)).replace(second=0, microsecond=0)
    with runtime.engine().begin() as connection:
        connection.execute(
            update(Meeting)
            .where(col(Meeting.id) == first["id"])
            .values(starts_at_utc=held, ends_at_utc=held + timedelta(hours=3))
        )
    now = client.get(f"/offerings/{offering['id']}", headers=world["owner"]["headers"]).json()
    answer = _patch(
        client, world, offering, [_kept(now, 0), {"id": now["meetings"][1]["id"], **FUTURE}]
    )
    assert answer.status_code == 200, answer.text


def test_a_draft_may_still_be_planned_in_the_past(client: TestClient, world: Json) -> None:
    draft = _offering(client, world, publish=False)
    answer = _patch(client, world, draft, [PAST])
    assert answer.status_code == 200, answer.text


def test_a_cancelled_draft_stays_private(
    client: TestClient, world: Json, admin_headers: dict[str, str]
) -> None:
    draft = _offering(client, world, publish=False)
    path = f"/offerings/{draft['id']}"
    cancelled = client.post(
        f"{path}/cancel", json={"reason": "x"}, headers=world["owner"]["headers"]
    )
    assert cancelled.json()["status"] == "cancelled"
    for outsider in ({}, EDUCATOR, world["stranger"]["headers"]):
        assert client.get(path, headers=outsider).status_code == 404
    assert client.get(path, headers=world["owner"]["headers"]).json()["status"] == "cancelled"
    assert client.get(path, headers=admin_headers).status_code == 200
    listed = client.get("/offerings", params={"program": world["code"], "limit": 100}).json()
    assert draft["id"] not in {item["id"] for item in listed["items"]}


def test_a_cancelled_offering_that_was_published_stays_readable(
    client: TestClient, world: Json
) -> None:
    offering = _offering(client, world, publish=True)
    path = f"/offerings/{offering['id']}"
    client.post(f"{path}/cancel", json={"reason": "x"}, headers=world["owner"]["headers"])
    answer = client.get(path)
    assert answer.status_code == 200 and answer.json()["status"] == "cancelled"


def test_the_join_link_is_shown_to_the_owner_and_the_operator_only(
    client: TestClient, world: Json, admin_headers: dict[str, str]
) -> None:
    offering = _offering(client, world, publish=True, **VIRTUAL)
    path = f"/offerings/{offering['id']}"
    query = {"program": world["code"], "format": "virtual", "limit": 100}
    for insider in (world["owner"]["headers"], admin_headers):
        assert client.get(path, headers=insider).json()["join_url"] == LINK
        items = client.get("/offerings", params=query, headers=insider).json()["items"]
        assert [item["join_url"] for item in items if item["id"] == offering["id"]] == [LINK]
    for outsider in ({}, EDUCATOR, world["stranger"]["headers"]):
        answer = client.get(path, headers=outsider)
        assert answer.status_code == 200 and answer.json()["join_url"] is None
        assert answer.json()["format"] == "virtual"
        items = client.get("/offerings", params=query, headers=outsider).json()["items"]
        assert [item["join_url"] for item in items if item["id"] == offering["id"]] == [None]
        assert LINK not in client.get("/offerings", params=query, headers=outsider).text
