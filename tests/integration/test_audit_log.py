"""Every service's audit log names who did what: the operator's changes to programs, affiliates
and facilitators, re-plans, revoked keys, removed members and erasures, each in the transaction
of the change; `GET /audit` is the operator's alone; an erased person's name leaves the records
of what they did. On PostgreSQL, through each service's API."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from services.accounts.database import runtime as accounts_runtime
from services.registry.database import runtime as registry_runtime
from services.registry.handlers import forget_person
from shared.events import PersonErased
from tests.support.accounts import accounts_client, new_address, operator_headers, sign_in
from tests.support.registry import make_affiliate, make_program, registry_client
from tests.support.scheduler import new_facilitator, program_code
from tests.support.tokens import bearer, educator_token, member_token, next_person_id, sign

Json = dict[str, Any]


def _latest(client: TestClient, headers: dict[str, str], action: str) -> Json:
    answer = client.get("/audit", headers=headers, params={"action": action, "limit": 1})
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"] >= 1, f"no {action} recorded"
    record: Json = answer.json()["items"][0]
    return record


def _named_operator() -> tuple[int, dict[str, str]]:
    person = next_person_id()
    claims = {"sub": str(person), "sid": "session:audit", "name": "Olga Audit"}
    token = sign(claims | {"roles": [{"role": "operator"}]})
    return person, bearer(token)


@pytest.fixture(scope="module")
def registry() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


def test_program_and_affiliate_changes_are_recorded_with_the_operators_name(
    registry: TestClient,
) -> None:
    person, operator = _named_operator()
    program = make_program(registry, operator, pd_hours=3.0)
    affiliate = make_affiliate(registry, operator)
    registry.patch(f"/programs/{program['id']}", json={"pd_hours": 4.5}, headers=operator)
    registry.patch(f"/affiliates/{affiliate['id']}", json={"name": "Ohio EA"}, headers=operator)

    added = _latest(registry, operator, "program.add")
    assert (added["actor_id"], added["actor_name"]) == (person, f"Olga Audit (person {person})")
    assert added["subject"] == f"program {program['id']}"
    assert added["details"]["code"] == program["code"]
    changed = _latest(registry, operator, "program.change")
    assert changed["details"] == {"pd_hours": {"from": 3.0, "to": 4.5}}
    renamed = _latest(registry, operator, "affiliate.change")
    assert renamed["details"]["name"]["to"] == "Ohio EA"
    assert _latest(registry, operator, "affiliate.add")["subject"] == f"affiliate {affiliate['id']}"


def test_an_unchanged_value_records_nothing(registry: TestClient) -> None:
    _, operator = _named_operator()
    program = make_program(registry, operator, pd_hours=3.0)
    before = registry.get("/audit", headers=operator, params={"action": "program.change"})
    registry.patch(f"/programs/{program['id']}", json={"pd_hours": 3.0}, headers=operator)
    after = registry.get("/audit", headers=operator, params={"action": "program.change"})
    assert after.json()["total"] == before.json()["total"]


def test_a_refused_change_leaves_no_record(registry: TestClient) -> None:
    _, operator = _named_operator()
    make_program(registry, operator, code="audit-taken")
    before = registry.get("/audit", headers=operator, params={"action": "program.add"}).json()
    taken = registry.post(
        "/programs", json={"code": "audit-taken", "title": "Again"}, headers=operator
    )
    assert taken.status_code == 409
    after = registry.get("/audit", headers=operator, params={"action": "program.add"}).json()
    assert after["total"] == before["total"]


def test_only_the_operator_reads_the_audit_log_and_bad_filters_are_named(
    registry: TestClient, admin_headers: dict[str, str]
) -> None:
    assert registry.get("/audit").status_code == 401
    assert registry.get("/audit", headers=bearer(member_token(5, "admin"))).status_code == 403
    assert registry.get("/audit", headers=bearer(educator_token(6, "e@x.org"))).status_code == 403
    for params, field in (
        ({"action": "DROP TABLE"}, "action"),
        ({"before": "1999-01-01"}, "before"),
    ):
        refused = registry.get("/audit", headers=admin_headers, params=params)
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"][-1] == field


def test_newest_first_and_before_pages_back(registry: TestClient) -> None:
    _, operator = _named_operator()
    for _ in range(3):
        make_program(registry, operator)
    first = registry.get("/audit", headers=operator, params={"limit": 2}).json()["items"]
    assert first[0]["at"] >= first[1]["at"]
    older = registry.get("/audit", headers=operator, params={"before": first[1]["at"]}).json()
    assert all(item["at"] < first[1]["at"] for item in older["items"])
    assert first[1]["id"] not in [item["id"] for item in older["items"]]


def test_an_erased_persons_name_leaves_the_registrys_records(registry: TestClient) -> None:
    person, operator = _named_operator()
    make_program(registry, operator)
    with Session(registry_runtime.engine()) as session:
        forget_person(session, PersonErased(person_id=person, erased_at=datetime.now(UTC)))
        session.commit()
    record = _latest(registry, operator, "program.add")
    assert record["actor_name"] == f"Erased person (person {person})"
    assert record["actor_id"] == person


def test_facilitator_changes_and_plans_are_recorded_on_the_scheduler(
    client: TestClient,
) -> None:
    person, operator = _named_operator()
    program, other = program_code(), program_code()
    facilitator = new_facilitator(client, operator, program)
    subject = f"facilitator {facilitator['id']}"
    assert _latest(client, operator, "facilitator.add")["subject"] == subject

    certify = {"certifications": [program, other]}
    answer = client.put(
        f"/facilitators/{facilitator['id']}/certifications", json=certify, headers=operator
    )
    assert answer.status_code == 200, answer.text
    record = _latest(client, operator, "facilitator.certify")
    assert record["subject"] == subject and record["actor_id"] == person
    assert record["details"]["from"] == [program]
    assert sorted(record["details"]["to"]) == sorted([program, other])

    shared = client.put(
        f"/facilitators/{facilitator['id']}/sharing", json={"shared": True}, headers=operator
    )
    assert shared.status_code == 200
    assert _latest(client, operator, "facilitator.share")["details"]["shared"] is True

    window = {"starts_after": "2031-01-01T00:00:00Z", "starts_before": "2031-01-02T00:00:00Z"}
    assert client.post("/assignments/plan", json=window, headers=operator).status_code == 200
    plan = _latest(client, operator, "assignments.plan")
    assert plan["details"]["starts_after"].startswith("2031-01-01")
    assert plan["actor_name"] == f"Olga Audit (person {person})"


def test_accounts_records_members_keys_and_erasures(bootstrap_headers: dict[str, str]) -> None:
    with accounts_client() as accounts:
        operator = operator_headers(accounts, bootstrap_headers)
        email = new_address()
        member = accounts.post(
            "/affiliates/77/members",
            json={"name": "Mina Member", "email": email, "member_role": "editor"},
            headers=operator,
        )
        assert member.status_code == 201, member.text
        person_id = member.json()["person_id"]
        added = _latest(accounts, operator, "member.add")
        assert added["subject"] == f"person {person_id}"
        assert added["details"] == {"affiliate_id": 77, "member_role": "editor"}
        assert "Mina" not in str(added), "a record names the actor, never the person acted on"

        key = accounts.post(
            "/api-keys", json={"name": "sync", "affiliate_id": 77}, headers=operator
        )
        assert key.status_code == 201
        assert accounts.delete(f"/api-keys/{key.json()['id']}", headers=operator).status_code == 204
        revoked = _latest(accounts, operator, "api_key.revoke")
        assert revoked["subject"] == f"API key {key.json()['id']}"

        removed = accounts.delete(f"/affiliates/77/members/{person_id}", headers=operator)
        assert removed.status_code == 204
        assert _latest(accounts, operator, "member.remove")["details"]["affiliate_id"] == 77

        assert accounts.post(f"/people/{person_id}/erase", headers=operator).status_code == 202
        assert _latest(accounts, operator, "person.erase")["subject"] == f"person {person_id}"


def test_someone_erasing_themself_is_recorded_without_their_name(
    bootstrap_headers: dict[str, str],
) -> None:
    with accounts_client() as accounts:
        operator = operator_headers(accounts, bootstrap_headers)
        signed = sign_in(accounts, new_address(), name="Ines Self")
        person_id = signed["person"]["id"]
        headers = bearer(signed["access_token"])
        made = accounts.post("/api-keys", json={"name": "mine"}, headers=headers)
        assert made.status_code == 201
        assert accounts.post("/me/erase", headers=headers).status_code == 202

        erased = _latest(accounts, operator, "person.erase")
        assert erased["subject"] == f"person {person_id}"
        own_key = _latest(accounts, operator, "api_key.add")
        assert own_key["actor_id"] == person_id
        assert own_key["actor_name"] == f"Erased person (person {person_id})"
        table = accounts_runtime.audit.table
        with accounts_runtime.engine().connect() as connection:
            names = [row.actor_name for row in connection.execute(table.select())]
        assert not [name for name in names if "Ines Self" in name]
