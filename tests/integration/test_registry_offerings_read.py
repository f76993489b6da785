"""Registry: who sees which offerings, each list filter, ordering and pagination."""

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
    registry_client,
    unique,
)
from tests.support.tokens import educator_token, next_person_id

EDUCATOR = bearer(educator_token(next_person_id(), "someone@schools.example.org"))
VIRTUAL = {"format": "virtual", "venue": None, "join_url": "https://meet.example.org/v"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


def one_meeting(day: str, hour: str = "09:00") -> Json:
    return {
        "meetings": [{"starts_at": f"{day}T{hour}", "ends_at": f"{day}T{int(hour[:2]) + 2}:00"}],
        "registration_closes_at": None,
    }


@pytest.fixture(scope="module")
def world(client: TestClient, admin_headers: dict[str, str]) -> Json:
    """Two affiliates in two states, one program, offerings in every status and format."""
    ohio = make_affiliate(client, admin_headers, state="OH")
    texas = make_affiliate(client, admin_headers, state="TX", timezone="America/Chicago")
    code = make_program(client, admin_headers)["code"]
    offerings = {
        "ohio_may": make_offering(client, ohio["headers"], code, **one_meeting("2027-05-03")),
        "ohio_april": make_offering(client, ohio["headers"], code, **one_meeting("2027-04-05")),
        "texas_june": make_offering(
            client,
            texas["headers"],
            code,
            timezone="America/Chicago",
            **VIRTUAL,
            **one_meeting("2027-06-07"),
        ),
        "ohio_draft": make_offering(client, ohio["headers"], code, **one_meeting("2027-04-20")),
        "texas_draft": make_offering(client, texas["headers"], code, **one_meeting("2027-04-21")),
        "ohio_cancelled": make_offering(client, ohio["headers"], code, **one_meeting("2027-04-22")),
    }
    for name in ("ohio_may", "ohio_april", "texas_june", "ohio_cancelled"):
        path = f"/offerings/{offerings[name]['id']}/publish"
        assert client.post(path, headers=admin_headers).status_code == 200
    cancel = f"/offerings/{offerings['ohio_cancelled']['id']}/cancel"
    assert client.post(cancel, json={"reason": "x"}, headers=admin_headers).status_code == 200
    ids = {name: offering["id"] for name, offering in offerings.items()}
    return {"ohio": ohio, "texas": texas, "code": code, "ids": ids}


def listed(
    client: TestClient, world: Json, headers: dict[str, str] | None = None, **params: Any
) -> list[str]:
    """Names of the world's offerings a caller sees, in the order given."""
    names = {offering_id: name for name, offering_id in world["ids"].items()}
    query = {"program": world["code"], "limit": 100, **params}
    response = client.get("/offerings", params=query, headers=headers or {})
    assert response.status_code == 200, response.text
    return [names[item["id"]] for item in response.json()["items"]]


def test_anyone_sees_published_offerings_by_first_meeting(client: TestClient, world: Json) -> None:
    expected = ["ohio_april", "ohio_may", "texas_june"]
    assert listed(client, world) == expected
    assert listed(client, world, EDUCATOR) == expected


def test_affiliate_also_sees_its_own_drafts_and_cancelled(client: TestClient, world: Json) -> None:
    ohio = listed(client, world, world["ohio"]["headers"])
    assert ohio == ["ohio_april", "ohio_draft", "ohio_cancelled", "ohio_may", "texas_june"]
    texas = listed(client, world, world["texas"]["headers"])
    assert texas == ["ohio_april", "texas_draft", "ohio_may", "texas_june"]


def test_operator_sees_everything(
    client: TestClient, world: Json, admin_headers: dict[str, str]
) -> None:
    assert len(listed(client, world, admin_headers)) == 6


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"state": "TX"}, ["texas_june"]),
        ({"state": "oh"}, ["ohio_april", "ohio_may"]),
        ({"format": "virtual"}, ["texas_june"]),
        ({"format": "in_person"}, ["ohio_april", "ohio_may"]),
        ({"starts_after": "2027-05-01T00:00:00Z"}, ["ohio_may", "texas_june"]),
        ({"starts_before": "2027-05-01T00:00:00Z"}, ["ohio_april"]),
        ({"starts_after": "2027-04-05T13:00:00Z"}, ["ohio_april", "ohio_may", "texas_june"]),
        ({"starts_after": "2027-04-05T09:00:00-04:00"}, ["ohio_april", "ohio_may", "texas_june"]),
        ({"starts_after": "2027-04-05T13:00:01Z"}, ["ohio_may", "texas_june"]),
        ({"starts_after": "2027-04-01", "starts_before": "2027-06-01"}, ["ohio_april", "ohio_may"]),
        ({"status": "published"}, ["ohio_april", "ohio_may", "texas_june"]),
        ({"status": "draft"}, []),
        ({"status": "cancelled"}, []),
    ],
)
def test_each_filter_for_the_public(
    client: TestClient, world: Json, params: Json, expected: list[str]
) -> None:
    assert listed(client, world, **params) == expected


def test_affiliate_filter(client: TestClient, world: Json) -> None:
    texas_id = world["texas"]["id"]
    assert listed(client, world, affiliate_id=texas_id) == ["texas_june"]
    own = listed(client, world, world["texas"]["headers"], affiliate_id=texas_id)
    assert own == ["texas_draft", "texas_june"]


def test_status_filter_for_owners(
    client: TestClient, world: Json, admin_headers: dict[str, str]
) -> None:
    assert listed(client, world, admin_headers, status="draft") == ["ohio_draft", "texas_draft"]
    assert listed(client, world, world["ohio"]["headers"], status="draft") == ["ohio_draft"]
    assert listed(client, world, admin_headers, status="cancelled") == ["ohio_cancelled"]


def test_pagination(client: TestClient, world: Json, admin_headers: dict[str, str]) -> None:
    everything = listed(client, world, admin_headers)
    pages = []
    for offset in (0, 2, 4, 6):
        query = {"program": world["code"], "limit": 2, "offset": offset}
        page = client.get("/offerings", params=query, headers=admin_headers).json()
        assert page["total"] == 6
        pages.append(page["items"])
    assert [len(page) for page in pages] == [2, 2, 2, 0]
    names = {offering_id: name for name, offering_id in world["ids"].items()}
    assert [names[item["id"]] for page in pages for item in page] == everything


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"offset": -1}, "offset"),
        ({"format": "carrier-pigeon"}, "format"),
        ({"status": "archived"}, "status"),
        ({"state": "Ohio"}, "state"),
        ({"starts_after": "soon"}, "starts_after"),
        ({"affiliate_id": "ohio"}, "affiliate_id"),
    ],
)
def test_bad_list_parameters(client: TestClient, params: Json, field: str) -> None:
    response = client.get("/offerings", params=params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_draft_is_read_only_by_its_owner_and_the_operator(
    client: TestClient, world: Json, admin_headers: dict[str, str]
) -> None:
    path = f"/offerings/{world['ids']['ohio_draft']}"
    assert client.get(path, headers=world["ohio"]["headers"]).json()["status"] == "draft"
    assert client.get(path, headers=admin_headers).status_code == 200
    assert client.get(path).status_code == 404
    assert client.get(path, headers=EDUCATOR).status_code == 404
    assert client.get(path, headers=world["texas"]["headers"]).status_code == 404


def test_published_and_cancelled_offerings_are_readable_by_anyone(
    client: TestClient, world: Json
) -> None:
    published = client.get(f"/offerings/{world['ids']['texas_june']}")
    assert published.status_code == 200
    assert published.json()["meetings"][0]["starts_at"] == "2027-06-07T09:00:00-05:00"
    cancelled = client.get(f"/offerings/{world['ids']['ohio_cancelled']}", headers=EDUCATOR)
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancel_reason"] == "x"


def test_unknown_offering_and_bad_tokens(client: TestClient) -> None:
    assert client.get("/offerings/999999999").status_code == 404
    assert client.get("/offerings/not-a-number").status_code == 422
    assert client.get("/offerings", headers=bearer("garbage")).status_code == 401
    assert client.get("/offerings/1", headers=bearer("ck1.a.b")).status_code == 401


def test_q_finds_offerings_by_words_of_their_title_or_description(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    ohio = make_affiliate(client, admin_headers)
    code = make_program(client, admin_headers)["code"]
    marker = unique("zq").replace("-", "")
    titled = make_offering(
        client,
        ohio["headers"],
        code,
        title=f"Bullying prevention {marker}",
        description="Hall duty.",
    )
    described = make_offering(
        client,
        ohio["headers"],
        code,
        title="Safe schools",
        description=f"Preventing BULLYING online; {marker} session.",
    )
    literal = make_offering(
        client, ohio["headers"], code, title=f"100% {marker}_x", description="Percent."
    )
    other = make_offering(client, ohio["headers"], code, title=f"Cultural competence {marker}")

    def found(q: str) -> set[int]:
        page = client.get("/offerings", params={"q": q, "limit": 100}, headers=admin_headers)
        assert page.status_code == 200, page.text
        return {item["id"] for item in page.json()["items"]}

    assert found(f"bullying {marker}") == {titled["id"], described["id"]}
    assert found(f"{marker.upper()} Cultural") == {other["id"]}
    assert found(f"{marker} 100%") == {literal["id"]}
    assert found(f"{marker}_x") == {literal["id"]}
    assert found(f"{marker}%x") == set()
    assert found(f"{marker}xx") == set()
    # Anonymous callers search published offerings only.
    assert client.get("/offerings", params={"q": marker}).json()["items"] == []
    too_long = client.get("/offerings", params={"q": "w" * 201})
    assert too_long.status_code == 422 and too_long.json()["detail"][0]["loc"][-1] == "q"
