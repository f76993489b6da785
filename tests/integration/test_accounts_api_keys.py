"""Accounts: API keys made, shown once, exchanged for access tokens at /token, and revoked."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.accounts.database import runtime
from services.accounts.models import ApiKey
from services.accounts.tokens import sessions
from tests.support.accounts import (
    access_token,
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


def _make_key(client: TestClient, headers: dict[str, str], **body: Any) -> Json:
    answer = client.post("/api-keys", json={"name": "sync", **body}, headers=headers)
    assert answer.status_code == 201, answer.text
    made: Json = answer.json()
    return made


def _admin_of(client: TestClient, operator: dict[str, str], affiliate: int) -> dict[str, str]:
    email = new_address()
    body = {"name": "Ada Admin", "email": email, "member_role": "admin"}
    assert (
        client.post(f"/affiliates/{affiliate}/members", json=body, headers=operator).status_code
        == 201
    )
    code = code_from(sign_in_events(email)[-1])
    return bearer(client.post("/sign-in/redeem", json={"code": code}).json()["access_token"])


def test_a_personal_key_acts_as_its_owner_and_is_stored_only_hashed(client: TestClient) -> None:
    person = sign_in(client, name="Kim")
    made = _make_key(client, bearer(person["access_token"]), expires_in_days=30)
    assert made["key"].startswith("cak_") and made["expires_at"]
    with Session(runtime.engine()) as session:
        row = session.exec(select(ApiKey).where(ApiKey.id == made["id"])).one()
        assert row.key_hash == sessions.digest(made["key"]) and made["key"] not in row.key_hash
    claims = claims_of(client, access_token(client, made["key"]))
    assert claims["sub"] == str(person["person"]["id"]) and claims["sid"] == f"key:{made['id']}"
    assert claims["roles"] == [{"role": "educator"}] and claims["name"] == "Kim"
    listed = client.get("/api-keys", headers=bearer(person["access_token"])).json()
    assert [k["id"] for k in listed["items"]] == [made["id"]] and "key" not in listed["items"][0]


def test_an_affiliate_key_acts_as_a_member_of_its_role_only(
    client: TestClient, operator: dict[str, str]
) -> None:
    made = _make_key(client, operator, affiliate_id=51)
    claims = claims_of(client, access_token(client, made["key"]))
    assert claims["sub"] == f"key:{made['id']}" and claims["sid"] == f"key:{made['id']}"
    assert claims["roles"] == [{"role": "affiliate", "affiliate_id": 51, "member_role": "editor"}]
    assert not {"email", "name", "zoneinfo", "locale"} & set(claims)
    viewer = _make_key(client, operator, affiliate_id=51, member_role="viewer")
    roles = claims_of(client, access_token(client, viewer["key"]))["roles"]
    assert roles[0]["member_role"] == "viewer"


def test_only_the_operator_or_the_affiliates_admins_make_and_see_its_keys(
    client: TestClient, operator: dict[str, str]
) -> None:
    admin = _admin_of(client, operator, 52)
    made = _make_key(client, admin, affiliate_id=52, member_role="admin")
    assert (
        client.post("/api-keys", json={"name": "x", "affiliate_id": 53}, headers=admin).status_code
        == 403
    )
    educator = bearer(sign_in(client)["access_token"])
    body = {"name": "x", "affiliate_id": 52}
    assert client.post("/api-keys", json=body, headers=educator).status_code == 403
    assert made["id"] in [k["id"] for k in client.get("/api-keys", headers=admin).json()["items"]]
    assert made["id"] in [
        k["id"] for k in client.get("/api-keys", headers=operator).json()["items"]
    ]
    assert client.get("/api-keys", headers=educator).json()["items"] == []
    assert client.delete(f"/api-keys/{made['id']}", headers=educator).status_code == 404
    affiliate_key = bearer(access_token(client, made["key"]))
    assert (
        client.post("/api-keys", json={"name": "personal"}, headers=affiliate_key).status_code
        == 403
    )


def test_the_bootstrap_operator_may_make_a_personal_key(
    client: TestClient, operator: dict[str, str]
) -> None:
    made = _make_key(client, operator)
    claims = claims_of(client, access_token(client, made["key"]))
    assert claims["sub"] == "bootstrap" and claims["roles"] == [{"role": "operator"}]
    assert claims["sid"] == f"key:{made['id']}"


def test_a_revoked_key_buys_nothing_and_its_tokens_are_revoked(client: TestClient) -> None:
    person = bearer(sign_in(client)["access_token"])
    made = _make_key(client, person)
    token = access_token(client, made["key"])
    assert client.delete(f"/api-keys/{made['id']}", headers=person).status_code == 204
    assert revocations()[-1]["data"]["key"] == f"sid:key:{made['id']}"
    assert client.post("/token", headers=bearer(made["key"])).status_code == 401
    assert client.get("/me", headers=bearer(token)).status_code == 401
    assert client.delete(f"/api-keys/{made['id']}", headers=person).status_code == 404
    assert client.get("/api-keys", headers=person).json()["total"] == 0


def test_an_expired_or_unknown_key_buys_nothing(client: TestClient) -> None:
    person = bearer(sign_in(client)["access_token"])
    made = _make_key(client, person, expires_in_days=1)
    with Session(runtime.engine()) as session:
        row = session.get(ApiKey, made["id"])
        assert row is not None and row.expires_at is not None
        row.expires_at = row.created_at
        session.add(row)
        session.commit()
    assert client.post("/token", headers=bearer(made["key"])).status_code == 401
    assert client.post("/token", headers=bearer("cak_unknown")).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x", "expires_in_days": 0},
        {"name": "x", "affiliate_id": 0},
        {"name": "x", "member_role": "viewer"},
        {"name": "x", "affiliate_id": 5, "member_role": "owner"},
    ],
)
def test_bad_key_requests_are_422(client: TestClient, operator: dict[str, str], body: Json) -> None:
    answer = client.post("/api-keys", json=body, headers=operator)
    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["msg"]


def test_keys_need_an_access_token(client: TestClient) -> None:
    assert client.post("/api-keys", json={"name": "x"}).status_code == 401
    assert client.get("/api-keys").status_code == 401
    assert client.delete("/api-keys/1").status_code == 401
