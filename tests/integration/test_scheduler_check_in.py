"""QR check-in: the cohort's facilitator opens a short-lived code for a meeting, educators with a
seat check in with it and are marked present; foreign, stale and ill-timed codes are refused."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from services.scheduler.database import runtime
from services.scheduler.models import AttendanceChange, Cohort, Meeting
from tests.support.factories import meeting
from tests.support.scheduler import (
    new_educator,
    new_facilitator,
    offering_state,
    program_code,
    publish,
    register,
)
from tests.support.tokens import bearer, member_token


def _midday_zone() -> str:
    """A zone where it is about noon now, so the facilitator's 07:00-21:00 covers the meetings."""
    offset = 12 - datetime.now(UTC).hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def _course(client: TestClient, admin: dict[str, str], seats: int, people: int) -> dict[str, Any]:
    zone = _midday_zone()
    now = datetime.now(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)
    program, affiliate = program_code(), 4343
    lead = new_facilitator(client, admin, program, timezone=zone)
    state = offering_state(program=program, capacity=seats, affiliate_id=affiliate, timezone=zone)
    starts = [now + timedelta(minutes=10), now + timedelta(days=2), now - timedelta(days=3)]
    state = state.model_copy(
        update={
            "meetings": [meeting(state.id * 10 + n, s, 1, zone) for n, s in enumerate(starts, 1)],
            "registration_closes_at_utc": datetime.now(UTC) + timedelta(days=30),
        }
    )
    publish(state)
    educators = [new_educator(client, f"Checker{n}") for n in range(people)]
    registrations = [register(client, person, state.id) for person in educators]
    return {
        "meetings": [m.id for m in state.meetings],
        "lead": lead,
        "affiliate": affiliate,
        "educators": educators,
        "registrations": registrations,
    }


@pytest.fixture(scope="module")
def course(client: TestClient, admin_headers: dict[str, str]) -> dict[str, Any]:
    """Two seats, three educators (the third waits); meetings now, in 2 days, 3 days ago."""
    return _course(client, admin_headers, seats=2, people=3)


@pytest.fixture(scope="module")
def other(client: TestClient, admin_headers: dict[str, str]) -> dict[str, Any]:
    """Another training running now, with one participant."""
    return _course(client, admin_headers, seats=1, people=1)


def _open(client: TestClient, meeting_id: int, headers: dict[str, str]) -> Any:
    return client.post(f"/meetings/{meeting_id}/check-in-codes", headers=headers)


def _check_in(client: TestClient, code: str, person: dict[str, Any]) -> Any:
    return client.post("/check-ins", json={"code": code}, headers=person["headers"])


def _audit(meeting_id: int) -> list[tuple[int, str | None, str, str]]:
    with Session(runtime.engine()) as session:
        rows = session.exec(
            select(AttendanceChange)
            .where(AttendanceChange.meeting_id == meeting_id)
            .order_by(col(AttendanceChange.id))
        ).all()
        return [(r.registration_id, r.old_status, r.new_status, r.how) for r in rows]


def test_an_educator_checks_in_once_however_often_they_scan(
    client: TestClient, course: dict[str, Any]
) -> None:
    now_meeting, lead = course["meetings"][0], course["lead"]
    opened = _open(client, now_meeting, lead["headers"])
    assert opened.status_code == 201, opened.text
    code = opened.json()
    assert code["meeting_id"] == now_meeting
    assert len(code["code"]) == 9 and code["code"][4] == "-"
    assert code["url"].endswith(f"/check-in?code={code['code']}")
    assert code["qr_svg_url"].endswith(f"/check-in/qr.svg?code={code['code']}")
    expires = datetime.fromisoformat(code["expires_at"])
    assert expires <= datetime.now(UTC) + timedelta(seconds=901)

    first = course["educators"][0]
    seat = course["registrations"][0]
    answers = [_check_in(client, code["code"], first) for _ in range(2)]
    typed = _check_in(client, code["code"].replace("-", " ").lower(), first)
    for answer in (*answers, typed):
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "meeting_id": now_meeting,
            "registration_id": seat["id"],
            "offering_id": seat["offering_id"],
            "status": "present",
        }
    assert _audit(now_meeting) == [(seat["id"], None, "present", "check_in")]
    marks = client.get(f"/meetings/{now_meeting}/attendance", headers=lead["headers"]).json()
    assert (seat["id"], "present") in [(i["registration_id"], i["status"]) for i in marks["items"]]


def test_a_check_in_never_undoes_a_facilitators_partial_mark(
    client: TestClient, course: dict[str, Any]
) -> None:
    now_meeting, lead = course["meetings"][0], course["lead"]
    second, seat = course["educators"][1], course["registrations"][1]
    mark = [{"registration_id": seat["id"], "status": "partial", "minutes": 20}]
    marked = client.put(f"/meetings/{now_meeting}/attendance", json=mark, headers=lead["headers"])
    assert marked.status_code == 200, marked.text
    code = _open(client, now_meeting, lead["headers"]).json()["code"]
    answer = _check_in(client, code, second)
    assert answer.status_code == 200 and answer.json()["status"] == "partial"


def test_a_new_code_retires_the_old_and_an_expired_code_is_refused(
    client: TestClient, course: dict[str, Any]
) -> None:
    now_meeting, lead, first = course["meetings"][0], course["lead"], course["educators"][0]
    old = _open(client, now_meeting, lead["headers"]).json()["code"]
    editor = bearer(member_token(course["affiliate"], "editor"))
    new = _open(client, now_meeting, editor)
    assert new.status_code == 201, "the affiliate's editors open codes too"
    retired = _check_in(client, old, first)
    assert retired.status_code == 409 and "unknown" in retired.json()["detail"]
    with Session(runtime.engine()) as session:
        row = session.get(Meeting, now_meeting)
        assert row is not None
        row.check_in_code_expires_at = datetime.now(UTC) - timedelta(seconds=1)
        session.add(row)
        session.commit()
    expired = _check_in(client, new.json()["code"], first)
    assert expired.status_code == 409 and "expired" in expired.json()["detail"]


def test_foreign_codes_and_people_without_a_seat_are_refused(
    client: TestClient, course: dict[str, Any], other: dict[str, Any]
) -> None:
    code = _open(client, other["meetings"][0], other["lead"]["headers"]).json()["code"]
    stranger = _check_in(client, code, course["educators"][0])
    assert stranger.status_code == 409 and "no confirmed seat" in stranger.json()["detail"]
    own = _open(client, course["meetings"][0], course["lead"]["headers"]).json()["code"]
    waiting = _check_in(client, own, course["educators"][2])
    assert waiting.status_code == 409, "the waitlisted are not in the room"
    for nonsense in ("", "ABCD", "I0O1-ABCD", "x" * 65):
        refused = _check_in(client, nonsense, course["educators"][0])
        assert refused.status_code in (409, 422), refused.text
    assert _check_in(client, own, other["educators"][0]).status_code == 409


def test_codes_open_only_around_the_meeting(client: TestClient, course: dict[str, Any]) -> None:
    _, upcoming, past = course["meetings"]
    for meeting_id in (upcoming, past):
        refused = _open(client, meeting_id, course["lead"]["headers"])
        assert refused.status_code == 409 and "not open" in refused.json()["detail"]
    now_meeting = course["meetings"][0]
    code = _open(client, now_meeting, course["lead"]["headers"]).json()["code"]
    with Session(runtime.engine()) as session:
        row = session.get(Meeting, now_meeting)
        assert row is not None
        start, end = row.starts_at_utc, row.ends_at_utc
        row.starts_at_utc, row.ends_at_utc = start + timedelta(hours=3), end + timedelta(hours=3)
        session.add(row)
        session.commit()
    try:
        moved = _check_in(client, code, course["educators"][0])
        assert moved.status_code == 409 and "not open" in moved.json()["detail"]
    finally:
        with Session(runtime.engine()) as session:
            row = session.get(Meeting, now_meeting)
            assert row is not None
            row.starts_at_utc, row.ends_at_utc = start, end
            session.add(row)
            session.commit()


def test_a_final_cohort_takes_no_check_in(client: TestClient, other: dict[str, Any]) -> None:
    code = _open(client, other["meetings"][0], other["lead"]["headers"]).json()["code"]
    cohort_id = other["registrations"][0]["cohort_id"]
    with Session(runtime.engine()) as session:
        cohort = session.get(Cohort, cohort_id)
        assert cohort is not None
        cohort.finalised_at = datetime.now(UTC)
        session.add(cohort)
        session.commit()
    refused = _check_in(client, code, other["educators"][0])
    assert refused.status_code == 409 and "final" in refused.json()["detail"]


def test_who_may_open_codes(client: TestClient, course: dict[str, Any]) -> None:
    now_meeting = course["meetings"][0]
    assert _open(client, now_meeting, {}).status_code == 401
    viewer = bearer(member_token(course["affiliate"], "viewer"))
    assert _open(client, now_meeting, viewer).status_code == 403
    stranger = bearer(member_token(course["affiliate"] + 1, "editor"))
    assert _open(client, now_meeting, stranger).status_code == 404
    educator = course["educators"][0]["headers"]
    assert _open(client, now_meeting, educator).status_code in (403, 404)
    assert client.post("/check-ins", json={"code": "ABCD-EFGH"}).status_code == 401
