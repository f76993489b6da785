"""Helpers for registry tests: a running app, and unique affiliates, programs and offerings."""

import copy
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from services.registry.models_offering import OFFERING_EXAMPLE
from tests.support.tokens import member_token

Json = dict[str, Any]


@contextmanager
def registry_client() -> Iterator[TestClient]:
    """The registry app with its startup (schema, relay) run, as a test client."""
    from services.registry.main import app

    with TestClient(app) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    """An Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def unique(prefix: str) -> str:
    """A slug no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def make_affiliate(
    client: TestClient, admin_headers: dict[str, str], *, state: str = "OH", **extra: Any
) -> Json:
    """Register an affiliate; the answer has `headers` of an editor of it added (`admin_headers`
    and `viewer_headers` for those parts)."""
    body = {"name": unique("affiliate"), "state": state, "timezone": "America/New_York", **extra}
    response = client.post("/affiliates", json=body, headers=admin_headers)
    assert response.status_code == 201, response.text
    affiliate: Json = response.json()
    for part, key in (
        ("editor", "headers"),
        ("admin", "admin_headers"),
        ("viewer", "viewer_headers"),
    ):
        affiliate[key] = bearer(member_token(affiliate["id"], part))
    return affiliate


def make_program(client: TestClient, admin_headers: dict[str, str], **extra: Any) -> Json:
    """Add a program with a unique code."""
    body = {"code": unique("program"), "title": "Implicit Bias", **extra}
    response = client.post("/programs", json=body, headers=admin_headers)
    assert response.status_code == 201, response.text
    program: Json = response.json()
    return program


def offering_body(program_code: str, **extra: Any) -> Json:
    """A valid in-person offering in New York time with two meetings (override anything)."""
    body: Json = copy.deepcopy(OFFERING_EXAMPLE)
    body.update(program_code=program_code, description="Two mornings.")
    body.update(extra)
    return body


def make_offering(
    client: TestClient, headers: dict[str, str], program_code: str, **extra: Any
) -> Json:
    """Create a draft offering and return it."""
    response = client.post("/offerings", json=offering_body(program_code, **extra), headers=headers)
    assert response.status_code == 201, response.text
    offering: Json = response.json()
    return offering


def outbox_events(offering_id: int, event_type: str | None = None) -> list[Json]:
    """Envelopes in the registry's outbox about one offering, oldest first."""
    from services.registry.database import runtime

    table = runtime.bus_tables.outbox
    with runtime.engine().connect() as connection:
        rows = connection.execute(
            select(table.c.type, table.c.payload, table.c.sent_at).order_by(table.c.id)
        ).all()
    found = []
    for kind, payload, sent_at in rows:
        envelope = json.loads(payload)
        if envelope["data"]["offering"]["id"] != offering_id:
            continue
        if event_type is None or kind == event_type:
            found.append({**envelope, "sent_at": sent_at})
    return found
