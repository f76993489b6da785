"""Helpers for accounts tests: a running app, sign-in codes read from the outbox."""

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shared.access_tokens import verify

Json = dict[str, Any]


@contextmanager
def accounts_client() -> Iterator[TestClient]:
    """The accounts app with its startup (schema, signing key, relay) run, as a test client."""
    from services.accounts.main import app

    with TestClient(app) as client:
        yield client


def new_address() -> str:
    """An address no other test uses (mixed case, to see it normalised)."""
    return f"Ana.{uuid.uuid4().hex[:10]}@Example.org"


def sign_in_events(email: str) -> list[Json]:
    """The `sign_in.requested` events in the outbox for an address, oldest first."""
    from services.accounts.database import runtime

    outbox = runtime.bus_tables.outbox
    query = select(outbox.c.payload).where(outbox.c.type == "sign_in.requested")
    with runtime.engine().connect() as connection:
        payloads = [
            json.loads(row.payload) for row in connection.execute(query.order_by(outbox.c.id))
        ]
    return [p for p in payloads if p["data"]["email"] == email.lower()]


def revocations() -> list[Json]:
    """The `access.revoked` events in the outbox, oldest first."""
    from services.accounts.database import runtime

    outbox = runtime.bus_tables.outbox
    query = select(outbox.c.payload).where(outbox.c.type == "access.revoked")
    with runtime.engine().connect() as connection:
        return [json.loads(row.payload) for row in connection.execute(query.order_by(outbox.c.id))]


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for a bearer credential."""
    return {"Authorization": f"Bearer {token}"}


def access_token(client: TestClient, credential: str) -> str:
    """An access token bought at /token with a session token, an API key or the admin token."""
    response = client.post("/token", headers=bearer(credential))
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def operator_headers(client: TestClient, bootstrap_headers: dict[str, str]) -> dict[str, str]:
    """Headers of the bootstrap operator's access token."""
    return bearer(access_token(client, bootstrap_headers["Authorization"].split()[1]))


def claims_of(client: TestClient, token: str) -> Json:
    """The claims of an access token, verified with the accounts service's published keys."""
    claims = verify(token, client.get("/.well-known/jwks.json").json())
    assert claims is not None
    return claims


def code_from(event: Json) -> str:
    """The code in a sign-in event's link."""
    (code,) = parse_qs(urlsplit(event["data"]["link"]).query)["code"]
    return code


def ask_code(client: TestClient, email: str, **extra: Any) -> str:
    """Ask for a sign-in link and return the code it carries."""
    response = client.post("/sign-in", json={"email": email, **extra})
    assert response.status_code == 202, response.text
    return code_from(sign_in_events(email)[-1])


def sign_in(client: TestClient, email: str | None = None, **extra: Any) -> Json:
    """Sign a (new) address in; the redeem answer."""
    code = ask_code(client, email or new_address(), **extra)
    response = client.post("/sign-in/redeem", json={"code": code})
    assert response.status_code == 200, response.text
    signed_in: Json = response.json()
    return signed_in


def reset_limits() -> None:
    """Forget every rate-limit counter."""
    from services.accounts.sign_in import throttle

    throttle.limiter().storage.reset()


@pytest.fixture(scope="session")
def accounts_server(
    test_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real accounts API at COHORT_ACCOUNTS_URL, for services that call it (the scheduler
    adding educators and facilitators); yields its base URL."""
    from tests.support.processes import BIN, Process, wait_http

    url = test_env["COHORT_ACCOUNTS_URL"]
    port = url.rsplit(":", 1)[1]
    argv = [
        str(BIN / "uvicorn"),
        "services.accounts.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        port,
    ]
    process = Process("accounts", argv, test_env, tmp_path_factory.mktemp("accounts-logs")).start()
    try:
        wait_http(f"{url}/healthz", timeout=60, process=process)
        yield url
    finally:
        process.stop()
