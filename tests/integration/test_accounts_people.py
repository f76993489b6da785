"""Accounts: people added unproven, operators, affiliate members, and the roles tokens carry."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.accounts import (
    accounts_client,
    bearer,
    claims_of,
    code_from,
    new_address,
    operator_headers,
    reset_limits,
    revocations,
    sign_in,
    sign_in_events,
)

Json = dict[str, Any]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with accounts_client() as client:
        reset_limits()
        yield client


@pytest.fixture(scope="module")
def operator(client: TestClient, bootstrap_headers: dict[str, str]) -> dict[str, str]:
    return operator_headers(client, bootstrap_headers)


def _redeem_invitation(client: TestClient, email: str) -> Json:
    (event,) = [e for e in sign_in_events(email) if e["data"]["kind"] == "invitation"][-1:]
    answer = client.post("/sign-in/redeem", json={"code": code_from(event)})
    assert answer.status_code == 200, answer.text
    redeemed: Json = answer.json()
    return redeemed


def _member(client: TestClient, operator: dict[str, str], affiliate: int, role: str) -> Json:
    """A signed-in member of the affiliate, with a fresh access token carrying the role."""
    email = new_address()
    answer = client.post(
        f"/affiliates/{affiliate}/members",
        json={"name": "Mia Member", "email": email, "member_role": role},
        headers=operator,
    )
    assert answer.status_code == 201, answer.text
    return _redeem_invitation(client, email)


def test_an_educator_added_is_unproven_and_mailed_nothing(
    client: TestClient, operator: dict[str, str]
) -> None:
    email = new_address()
    body = {"name": "Ed Educator", "email": email, "timezone": "America/Chicago"}
    created = client.post("/people", json=body, headers=operator)
    assert created.status_code == 201, created.text
    assert created.json() | {"id": 0} == {
        "id": 0,
        "name": "Ed Educator",
        "email": email.lower(),
        "status": "invited",
    }
    assert sign_in_events(email) == []
    again = client.post("/people", json=body | {"name": "Other"}, headers=operator)
    assert again.status_code == 200 and again.json() == created.json()
    found = client.get("/people", params={"email": email}, headers=operator).json()
    assert found["total"] == 1 and found["items"][0]["roles"] == []
    signed_in = sign_in(client, email)
    assert signed_in["person"]["id"] == created.json()["id"]
    assert signed_in["person"]["name"] == "Ed Educator"
    assert signed_in["person"]["status"] == "active"
    assert claims_of(client, signed_in["access_token"])["roles"] == [{"role": "educator"}]


def test_a_facilitator_added_is_invited_and_gets_the_role_once_proven(
    client: TestClient, operator: dict[str, str]
) -> None:
    email = new_address()
    body = {"name": "Fay Facilitator", "email": email, "role": "facilitator", "locale": "es"}
    assert client.post("/people", json=body, headers=operator).status_code == 201
    (event,) = sign_in_events(email)
    assert event["data"]["kind"] == "invitation" and event["data"]["role_label"] == "facilitator"
    assert event["data"]["locale"] == "es"
    assert client.post("/people", json=body, headers=operator).status_code == 200
    assert len(sign_in_events(email)) == 1
    redeemed = _redeem_invitation(client, email)
    roles = claims_of(client, redeemed["access_token"])["roles"]
    assert roles == [{"role": "educator"}, {"role": "facilitator"}]


def test_affiliate_admins_and_editors_may_add_people_viewers_and_educators_not(
    client: TestClient, operator: dict[str, str]
) -> None:
    body = {"name": "Ed", "email": new_address()}
    for role, status in (("admin", 201), ("editor", 200), ("viewer", 403)):
        member = _member(client, operator, 41, role)
        answer = client.post("/people", json=body, headers=bearer(member["access_token"]))
        assert answer.status_code == status, (role, answer.text)
    educator = sign_in(client)
    answer = client.post("/people", json=body, headers=bearer(educator["access_token"]))
    assert answer.status_code == 403
    assert client.post("/people", json=body).status_code == 401


def test_a_member_token_carries_the_membership_with_the_personclaims_of(
    client: TestClient, operator: dict[str, str]
) -> None:
    member = _member(client, operator, 42, "editor")
    claims = claims_of(client, member["access_token"])
    assert claims["roles"] == [
        {"role": "educator"},
        {"role": "affiliate", "affiliate_id": 42, "member_role": "editor"},
    ]
    assert claims["sub"] == str(member["person"]["id"]) and claims["name"] == "Mia Member"
    me = client.get("/me", headers=bearer(member["access_token"])).json()
    assert {"role": "affiliate", "affiliate_id": 42, "member_role": "editor"} in me["roles"]


def test_members_are_listed_and_removed_by_the_operator_or_the_affiliate_admin(
    client: TestClient, operator: dict[str, str]
) -> None:
    admin = bearer(_member(client, operator, 43, "admin")["access_token"])
    email = new_address()
    added = client.post(
        "/affiliates/43/members",
        json={"name": "Vic Viewer", "email": email, "member_role": "viewer"},
        headers=admin,
    )
    assert added.status_code == 201, added.text
    assert added.json()["status"] == "invited" and added.json()["member_role"] == "viewer"
    (invitation,) = sign_in_events(email)
    assert invitation["data"]["role_label"] == "affiliate viewer"
    assert invitation["data"]["invited_by"] == "Mia Member"
    listed = client.get("/affiliates/43/members", headers=admin).json()
    assert listed["total"] == 2
    assert {m["email"]: m["member_role"] for m in listed["items"]}[email.lower()] == "viewer"
    other_admin = bearer(_member(client, operator, 44, "admin")["access_token"])
    person_id = added.json()["person_id"]
    assert client.get("/affiliates/43/members", headers=other_admin).status_code == 403
    assert (
        client.delete(f"/affiliates/43/members/{person_id}", headers=other_admin).status_code == 403
    )
    assert client.delete(f"/affiliates/43/members/{person_id}", headers=admin).status_code == 204
    assert revocations()[-1]["data"]["key"] == f"sub:{person_id}"
    assert client.delete(f"/affiliates/43/members/{person_id}", headers=admin).status_code == 404
    assert client.get("/affiliates/43/members", headers=operator).json()["total"] == 1


def test_an_operator_is_invited_and_may_then_add_operators(
    client: TestClient, operator: dict[str, str]
) -> None:
    email = new_address()
    answer = client.post("/operators", json={"name": "Olga", "email": email}, headers=operator)
    assert answer.status_code == 201, answer.text
    redeemed = _redeem_invitation(client, email)
    token = redeemed["access_token"]
    assert claims_of(client, token)["roles"] == [{"role": "operator"}, {"role": "educator"}]
    another = {"name": "Otto", "email": new_address()}
    assert client.post("/operators", json=another, headers=bearer(token)).status_code == 201
    educator = bearer(sign_in(client)["access_token"])
    assert client.post("/operators", json=another, headers=educator).status_code == 403
    assert client.get("/people", headers=educator).status_code == 403


def test_an_invitation_does_not_count_against_the_sign_in_limit(
    client: TestClient, operator: dict[str, str]
) -> None:
    reset_limits()
    email = new_address()
    for _ in range(3):
        assert client.post("/sign-in", json={"email": email}).status_code == 202
    for affiliate in (45, 46):
        body = {"name": "Mia", "email": email, "member_role": "viewer"}
        assert (
            client.post(f"/affiliates/{affiliate}/members", json=body, headers=operator).status_code
            == 201
        )
    assert len(sign_in_events(email)) == 5
    assert client.post("/sign-in", json={"email": email}).status_code == 429
    reset_limits()


def test_me_may_be_changed_by_the_person(client: TestClient) -> None:
    signed_in = sign_in(client, name="Ana")
    headers = bearer(signed_in["access_token"])
    changed = client.patch("/me", json={"name": "Ana Ruiz", "locale": "es"}, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["name"] == "Ana Ruiz" and changed.json()["locale"] == "es"
    assert client.get("/me", headers=headers).json()["name"] == "Ana Ruiz"
    bad = client.patch("/me", json={"timezone": "Mars/Base"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "timezone"


def _person_updates(person_id: int) -> list[Json]:
    """The `person.updated` events in accounts' outbox for one person, oldest first."""
    import json

    from sqlalchemy import select

    from services.accounts.database import runtime

    outbox = runtime.bus_tables.outbox
    query = select(outbox.c.payload).where(outbox.c.type == "person.updated")
    with runtime.engine().connect() as connection:
        rows = connection.execute(query.order_by(outbox.c.id)).all()
    found = [json.loads(row.payload)["data"] for row in rows]
    return [data for data in found if data["person_id"] == person_id]


def test_a_change_to_me_is_announced_once_with_the_full_new_values(client: TestClient) -> None:
    signed_in = sign_in(client, name="Lupe")
    headers, person_id = bearer(signed_in["access_token"]), signed_in["person"]["id"]
    answer = client.patch(
        "/me", json={"locale": "es", "timezone": "America/Chicago"}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    (update,) = _person_updates(person_id)
    assert update["locale"] == "es" and update["timezone"] == "America/Chicago"
    assert update["name"] == "Lupe" and update["updated_at"]
    # The same values again change nothing, so nothing more is announced.
    assert client.patch("/me", json={"locale": "es"}, headers=headers).status_code == 200
    assert len(_person_updates(person_id)) == 1
    client.patch("/me", json={"name": "Lupe Díaz"}, headers=headers)
    assert [u["name"] for u in _person_updates(person_id)] == ["Lupe", "Lupe Díaz"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/people", {"name": "X", "email": "not-an-address"}),
        ("/people", {"name": "X", "email": "a@example.org", "role": "operator"}),
        ("/affiliates/0/members", {"name": "X", "email": "a@example.org", "member_role": "admin"}),
        ("/affiliates/1/members", {"name": "X", "email": "a@example.org", "member_role": "boss"}),
        ("/operators", {"email": "a@example.org"}),
    ],
)
def test_bad_input_is_422_with_the_field(
    client: TestClient, operator: dict[str, str], path: str, body: Json
) -> None:
    answer = client.post(path, json=body, headers=operator)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"]


def test_the_same_address_added_at_once_makes_one_person(
    client: TestClient, operator: dict[str, str]
) -> None:
    body = {"name": "Ray Race", "email": new_address(), "role": "facilitator"}
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(
            pool.map(lambda _: client.post("/people", json=body, headers=operator), range(4))
        )
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert len({a.json()["id"] for a in answers}) == 1
    assert len(sign_in_events(body["email"])) == 1


def test_a_removed_admin_acts_no_more_here_with_a_token_minted_before(
    client: TestClient, operator: dict[str, str]
) -> None:
    removed = _member(client, operator, 45, "admin")
    token = bearer(removed["access_token"])
    assert client.get("/affiliates/45/members", headers=token).status_code == 200
    person_id = removed["person"]["id"]
    assert client.delete(f"/affiliates/45/members/{person_id}", headers=operator).status_code == 204
    assert client.get("/affiliates/45/members", headers=token).status_code == 403
    key = client.post("/api-keys", json={"name": "k", "affiliate_id": 45}, headers=token)
    assert key.status_code == 403
