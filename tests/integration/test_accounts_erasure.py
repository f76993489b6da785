"""Accounts: erasing a person blanks their name and email here, ends their credentials and tells
every other service (`person.erased`, `access.revoked`), keeping the row."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import String, Text, select

from services.accounts.database import runtime
from shared.erasure import ERASED_NAME, erased_email
from tests.support.accounts import (
    accounts_client,
    bearer,
    new_address,
    operator_headers,
    reset_limits,
    revocations,
    sign_in,
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with accounts_client() as client:
        reset_limits()
        yield client


@pytest.fixture(scope="module")
def operator(client: TestClient, bootstrap_headers: dict[str, str]) -> dict[str, str]:
    return operator_headers(client, bootstrap_headers)


def _rows_mentioning(*texts: str) -> list[str]:
    """Every row of every accounts table whose text columns contain one of `texts`."""
    found = []
    engine = runtime.engine()
    with engine.connect() as connection:
        for table in runtime.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            for row in connection.execute(select(*columns)) if columns else []:
                joined = json.dumps([str(v) for v in row]).lower()
                found += [f"{table.name}: {t}" for t in texts if t.lower() in joined]
    return found


def _outbox(event_type: str) -> list[dict[str, object]]:
    outbox = runtime.bus_tables.outbox
    with runtime.engine().connect() as connection:
        rows = connection.execute(select(outbox.c.payload).where(outbox.c.type == event_type))
        return [json.loads(row.payload)["data"] for row in rows]


def test_erasing_oneself_forgets_the_name_and_email_and_ends_every_credential(
    client: TestClient,
) -> None:
    email = new_address()
    signed_in = sign_in(client, email, name="Marisol Quintanilla-Oyelaran")
    person_id = signed_in["person"]["id"]
    token = bearer(signed_in["access_token"])
    key = client.post("/api-keys", json={"name": "my calendar script"}, headers=token)
    assert key.status_code == 201
    answer = client.post("/me/erase", headers=token)
    assert answer.status_code == 202
    assert _rows_mentioning(email, "Quintanilla-Oyelaran") == []
    assert {"person_id": person_id}.items() <= _outbox("person.erased")[-1].items()
    assert f"sub:{person_id}" in {e["data"]["key"] for e in revocations()}
    for credential in (signed_in["session_token"], key.json()["key"]):
        assert client.post("/token", headers=bearer(credential)).status_code == 401
    assert client.get("/me", headers=token).status_code == 401


def test_an_operator_erases_anyone_once(client: TestClient, operator: dict[str, str]) -> None:
    person_id = sign_in(client, new_address(), name="Tomasz Wiśniewski")["person"]["id"]
    path = f"/people/{person_id}/erase"
    assert client.post(path, headers=operator).status_code == 202
    erased = [e for e in _outbox("person.erased") if e["person_id"] == person_id]
    assert client.post(path, headers=operator).status_code == 202, "erasing again is harmless"
    assert [e for e in _outbox("person.erased") if e["person_id"] == person_id] == erased
    (row,) = [p for p in _everyone(client, operator) if p["id"] == person_id]
    assert row["email"] == erased_email(person_id)
    assert row["name"] in (None, ERASED_NAME), "the name is gone, the person still counts"


def _everyone(client: TestClient, operator: dict[str, str]) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
    while True:
        page = client.get(
            "/people", params={"limit": 100, "offset": len(people)}, headers=operator
        ).json()
        people += page["items"]
        if not page["items"] or len(people) >= page["total"]:
            return people


def test_erasing_someone_else_needs_an_operator(
    client: TestClient, operator: dict[str, str]
) -> None:
    victim = sign_in(client, new_address())["person"]["id"]
    stranger = bearer(sign_in(client, new_address())["access_token"])
    assert client.post(f"/people/{victim}/erase", headers=stranger).status_code == 403
    assert client.post(f"/people/{victim}/erase").status_code == 401
    assert client.post("/people/987654321/erase", headers=operator).status_code == 404
    assert client.post("/people/0/erase", headers=operator).status_code == 422
