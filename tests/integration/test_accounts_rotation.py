"""Rotating the signing key: the new key is published before it signs, the old one stays
published until its tokens have expired, and a service verifies both without a restart."""

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from services.accounts import keys
from services.accounts.database import runtime
from services.accounts.models import SigningKey
from shared.columns import as_utc, utcnow
from tests.support.accounts import accounts_client, bearer
from tests.support.registry import registry_client


@pytest.fixture(scope="module")
def clients(accounts_server: str) -> Iterator[tuple[TestClient, TestClient]]:
    with accounts_client() as accounts, registry_client() as registry:
        yield accounts, registry


def _operator_token(accounts: TestClient, bootstrap: dict[str, str]) -> str:
    answer = accounts.post("/token", headers=bootstrap)
    assert answer.status_code == 200, answer.text
    return str(answer.json()["access_token"])


def _kid(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


def _published(accounts: TestClient) -> set[str]:
    return {key["kid"] for key in accounts.get("/.well-known/jwks.json").json()["keys"]}


def test_a_rotated_key_signs_after_it_is_published_and_both_verify(
    clients: tuple[TestClient, TestClient], bootstrap_headers: dict[str, str]
) -> None:
    accounts, registry = clients
    before = _operator_token(accounts, bootstrap_headers)
    assert registry.get("/affiliates", headers=bearer(before)).status_code == 200
    with Session(runtime.engine(), expire_on_commit=False) as session:
        new, retire_at = keys.rotate_signing_key(session=session)
    assert {new.kid, _kid(before)} <= _published(accounts)
    still_old = _operator_token(accounts, bootstrap_headers)
    assert _kid(still_old) == _kid(before), "a new key must not sign before verifiers can see it"
    time.sleep(keys.PUBLISH_AHEAD.total_seconds() + 0.5)
    after = _operator_token(accounts, bootstrap_headers)
    assert _kid(after) == new.kid
    assert registry.get("/affiliates", headers=bearer(after)).status_code == 200
    assert registry.get("/affiliates", headers=bearer(before)).status_code == 200
    assert retire_at >= utcnow() + timedelta(seconds=900)
    with Session(runtime.engine()) as session:
        old = session.get(SigningKey, _kid(before))
        assert old is not None and old.retired_at is not None
        assert as_utc(old.retired_at) == retire_at
        old.retired_at = utcnow() - timedelta(seconds=1)
        session.add(old)
        session.commit()
    assert _kid(before) not in _published(accounts)


def test_the_rotation_command_says_what_it_did(test_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "services.accounts.rotate"],
        env=test_env | {"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "new signing key ed25519-" in done.stdout and "stay published until" in done.stdout
