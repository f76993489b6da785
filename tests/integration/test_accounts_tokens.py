"""Accounts: access tokens minted from sessions and the bootstrap token, the JWKS, and /me."""

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shared.access_tokens import verify
from tests.support.accounts import accounts_client, reset_limits, sign_in


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with accounts_client() as client:
        reset_limits()
        yield client


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _jwks(client: TestClient) -> dict[str, Any]:
    answer = client.get("/.well-known/jwks.json")
    assert answer.status_code == 200
    jwks: dict[str, Any] = answer.json()
    return jwks


def test_the_jwks_publishes_only_public_ed25519_keys(client: TestClient) -> None:
    keys = _jwks(client)["keys"]
    assert keys and all(k["kty"] == "OKP" and k["crv"] == "Ed25519" for k in keys)
    assert all("d" not in k for k in keys)


def test_a_session_token_buys_an_eddsa_access_token_with_its_claims(client: TestClient) -> None:
    signed_in = sign_in(client)
    answer = client.post("/token", headers=_bearer(signed_in["session_token"]))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["token_type"] == "bearer"
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "EdDSA"
    assert header["kid"] in {k["kid"] for k in _jwks(client)["keys"]}
    claims = verify(body["access_token"], _jwks(client))
    assert claims is not None
    assert claims["sub"] == str(signed_in["person"]["id"])
    assert claims["roles"] == [{"role": "educator"}]
    assert claims["sid"] and claims["iss"] == "cohort-accounts" and claims["aud"] == "cohort"
    assert 0 < claims["exp"] - claims["iat"] <= 900
    assert verify(body["access_token"], _jwks(client), now=claims["exp"] + 31) is None


def test_the_redeem_answer_carries_a_working_access_token(client: TestClient) -> None:
    signed_in = sign_in(client, name="Ana Ruiz")
    me = client.get("/me", headers=_bearer(signed_in["access_token"]))
    assert me.status_code == 200, me.text
    assert me.json() == signed_in["person"]


def test_the_bootstrap_token_buys_an_operator_token(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    answer = client.post("/token", headers=admin_headers)
    assert answer.status_code == 200
    claims = verify(answer.json()["access_token"], _jwks(client))
    assert claims is not None and claims["roles"] == [{"role": "operator"}]
    assert client.get("/me", headers=_bearer(answer.json()["access_token"])).status_code == 404


@pytest.mark.parametrize("credential", [None, "cs1_unknown", "test-secret-key-0123456789abcdef"])
def test_no_or_an_unknown_credential_is_401(client: TestClient, credential: str | None) -> None:
    headers = _bearer(credential) if credential else {}
    assert client.post("/token", headers=headers).status_code == 401


def test_me_refuses_a_session_token_a_tampered_or_hs256_token(client: TestClient) -> None:
    signed_in = sign_in(client)
    token = signed_in["access_token"]
    head, body, signature = token.split(".")
    tampered = f"{head}.{body}.{signature[:-4]}AAAA"
    claims = jwt.decode(token, options={"verify_signature": False})
    hs256 = jwt.encode(claims, "test-secret-key-0123456789abcdef", headers={"kid": head})
    for bad in (signed_in["session_token"], tampered, hs256):
        answer = client.get("/me", headers=_bearer(bad))
        assert answer.status_code == 401, bad
    assert client.get("/me").status_code == 401


def test_the_jwks_may_be_cached_for_five_minutes(client: TestClient) -> None:
    answer = client.get("/.well-known/jwks.json")
    assert answer.headers["Cache-Control"] == "public, max-age=300"


def test_a_signed_out_session_buys_no_more_tokens(client: TestClient) -> None:
    signed_in = sign_in(client)
    session_headers = _bearer(signed_in["session_token"])
    assert client.post("/sign-out", headers=_bearer(signed_in["access_token"])).status_code == 401
    assert client.post("/sign-out", headers=session_headers).status_code == 204
    assert client.post("/token", headers=session_headers).status_code == 401
    assert client.post("/sign-out", headers=session_headers).status_code == 401
    assert client.post("/sign-out").status_code == 401


def _revocations() -> list[dict[str, Any]]:
    from services.accounts.database import runtime

    outbox = runtime.bus_tables.outbox
    query = select(outbox.c.payload).where(outbox.c.type == "access.revoked")
    with runtime.engine().connect() as connection:
        return [json.loads(row.payload) for row in connection.execute(query.order_by(outbox.c.id))]


def test_signing_out_records_the_revocation_of_the_sessions_access_tokens(
    client: TestClient,
) -> None:
    signed_in = sign_in(client)
    claims = jwt.decode(signed_in["access_token"], options={"verify_signature": False})
    assert claims["sid"].startswith("session:")
    before = len(_revocations())
    assert client.post("/sign-out", headers=_bearer(signed_in["session_token"])).status_code == 204
    (event,) = _revocations()[before:]
    assert event["producer"] == "accounts"
    assert event["data"]["key"] == "sid:" + claims["sid"]
    assert event["data"]["reason"] == "signed out"
    assert claims["iat"] <= datetime.fromisoformat(event["data"]["revoked_at"]).timestamp()
