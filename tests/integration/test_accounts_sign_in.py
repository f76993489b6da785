"""Accounts: sign-in by mailed one-time link, on PostgreSQL and Redis."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlmodel import Session, col

from services.accounts.database import runtime
from services.accounts.models import Person, SignInCode
from services.accounts.people import service as people
from services.accounts.sign_in import codes
from services.accounts.tokens import sessions
from tests.support.accounts import (
    accounts_client,
    ask_code,
    new_address,
    reset_limits,
    sign_in,
    sign_in_events,
)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with accounts_client() as client:
        yield client


@pytest.fixture(autouse=True)
def _fresh_limits() -> None:
    reset_limits()


def _people_with(email: str) -> int:
    with Session(runtime.engine()) as session:
        query = select(func.count()).select_from(Person).where(col(Person.email) == email.lower())
        return int(session.execute(query).scalar_one())


def test_known_and_unknown_addresses_get_the_same_answer(client: TestClient) -> None:
    known = new_address()
    sign_in(client, known)
    answers = [client.post("/sign-in", json={"email": email}) for email in (known, new_address())]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].content == answers[1].content == b'{"status":"sent"}'
    ignored = {"date", "x-request-id"}
    headers = [{k: v for k, v in a.headers.items() if k not in ignored} for a in answers]
    assert headers[0] == headers[1]


def test_a_person_exists_only_once_the_address_is_proven(client: TestClient) -> None:
    email = new_address()
    code = ask_code(client, email, name="Ana Ruiz", timezone="America/Chicago", locale="es")
    assert _people_with(email) == 0
    redeemed = client.post("/sign-in/redeem", json={"code": code}).json()
    assert redeemed["person"]["email"] == email.lower()
    assert redeemed["person"]["name"] == "Ana Ruiz"
    assert redeemed["person"]["timezone"] == "America/Chicago"
    assert redeemed["person"]["locale"] == "es"
    assert sign_in_events(email)[0]["data"]["locale"] == "es"
    assert redeemed["person"]["roles"] == [
        {"role": "educator", "affiliate_id": None, "member_role": None}
    ]
    assert redeemed["session_token"] and redeemed["access_token"]
    again = sign_in(client, email.upper())
    assert again["person"]["id"] == redeemed["person"]["id"]
    assert _people_with(email) == 1


def test_the_event_carries_the_portal_link_and_only_the_hash_is_stored(client: TestClient) -> None:
    email = new_address()
    code = ask_code(client, email)
    (event,) = sign_in_events(email)
    assert event["producer"] == "accounts" and event["schema_version"] == 1
    assert event["data"]["link"].startswith("http://127.0.0.1:8000/sign-in/confirm?code=")
    expires = datetime.fromisoformat(event["data"]["expires_at"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    with Session(runtime.engine()) as session:
        rows = session.execute(select(SignInCode).where(col(SignInCode.email) == email.lower()))
        (row,) = rows.scalars().all()
    assert row.code_hash == sessions.digest(code) and code not in row.code_hash


def test_the_code_and_its_event_commit_together(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = new_address()

    def broken(*args: object) -> None:
        raise RuntimeError("outbox write failed")

    monkeypatch.setattr(runtime.outbox, "record", broken)
    with Session(runtime.engine()) as session, pytest.raises(RuntimeError):
        codes.request_sign_in(session=session, email=email, name=None)
    with Session(runtime.engine()) as session:
        stored = session.execute(select(SignInCode).where(col(SignInCode.email) == email.lower()))
        assert stored.first() is None
    assert sign_in_events(email) == []


def test_a_code_works_once(client: TestClient) -> None:
    code = ask_code(client, new_address())
    assert client.post("/sign-in/redeem", json={"code": code}).status_code == 200
    used = client.post("/sign-in/redeem", json={"code": code})
    unknown = client.post("/sign-in/redeem", json={"code": "not-a-code"})
    assert used.status_code == unknown.status_code == 400
    assert used.json() == unknown.json()
    assert "used, expired or unknown" in used.json()["detail"]


def test_an_expired_code_is_refused(client: TestClient) -> None:
    email = new_address()
    code = ask_code(client, email)
    with Session(runtime.engine()) as session:
        past = datetime.now(UTC) - timedelta(seconds=1)
        session.execute(
            update(SignInCode).where(col(SignInCode.email) == email.lower()).values(expires_at=past)
        )
        session.commit()
    refused = client.post("/sign-in/redeem", json={"code": code})
    assert refused.status_code == 400
    assert _people_with(email) == 0


def test_a_get_to_the_redeem_path_uses_nothing_up(client: TestClient) -> None:
    code = ask_code(client, new_address())
    assert client.get("/sign-in/redeem", params={"code": code}).status_code == 405
    assert client.post("/sign-in/redeem", json={"code": code}).status_code == 200


def test_the_fourth_request_for_one_address_is_429_with_retry_after(client: TestClient) -> None:
    email = new_address()
    answers = [client.post("/sign-in", json={"email": email}).status_code for _ in range(3)]
    assert answers == [202, 202, 202]
    refused = client.post("/sign-in", json={"email": email.upper()})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert len(sign_in_events(email)) == 3
    assert client.post("/sign-in", json={"email": new_address()}).status_code == 202


def test_one_client_is_limited_across_addresses(client: TestClient) -> None:
    answers = [client.post("/sign-in", json={"email": new_address()}) for _ in range(31)]
    assert [a.status_code for a in answers[:30]] == [202] * 30
    assert answers[30].status_code == 429 and int(answers[30].headers["Retry-After"]) > 0


def test_an_invalid_address_is_422(client: TestClient) -> None:
    answer = client.post("/sign-in", json={"email": "not an address"})
    assert answer.status_code == 422


def test_a_concurrent_first_sign_in_of_one_address_makes_one_person(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    email = new_address()
    first, second = ask_code(client, email), ask_code(client, email)
    assert client.post("/sign-in/redeem", json={"code": first}).status_code == 200
    # The second redeem looks before the first commits: it sees no person and inserts one.
    real_find = people.find_person
    missed: list[bool] = []

    def late_find(**kwargs: Any) -> Person | None:
        if not missed:
            missed.append(True)
            return None
        return real_find(**kwargs)

    monkeypatch.setattr(people, "find_person", late_find)
    again = client.post("/sign-in/redeem", json={"code": second})
    assert again.status_code == 200 and missed == [True]
    assert _people_with(email) == 1


def test_a_bearer_token_that_does_not_verify_is_401_even_on_anonymous_routes(
    client: TestClient,
) -> None:
    from tests.support.tokens import sign_with_another_key

    for token in ("nonsense", sign_with_another_key()):
        headers = {"Authorization": f"Bearer {token}"}
        asked = client.post("/sign-in", json={"email": new_address()}, headers=headers)
        assert asked.status_code == 401
        redeemed = client.post("/sign-in/redeem", json={"code": "x" * 43}, headers=headers)
        assert redeemed.status_code == 401
    good = sign_in(client)["access_token"]
    with_good = client.post(
        "/sign-in", json={"email": new_address()}, headers={"Authorization": f"Bearer {good}"}
    )
    assert with_good.status_code == 202


def test_proving_an_address_is_told_once(client: TestClient) -> None:
    import json

    outbox = runtime.bus_tables.outbox

    def verified(person_id: int) -> list[dict[str, Any]]:
        with runtime.engine().connect() as connection:
            rows = connection.execute(
                select(outbox.c.payload).where(outbox.c.type == "person.verified")
            )
            found = [json.loads(row.payload)["data"] for row in rows]
        return [e for e in found if e["person_id"] == person_id]

    email = new_address()
    first = sign_in(client, email)["person"]["id"]
    assert len(verified(first)) == 1
    assert sign_in(client, email)["person"]["id"] == first
    assert len(verified(first)) == 1
