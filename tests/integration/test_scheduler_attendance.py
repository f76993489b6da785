"""Attendance: marked per meeting and participant by the cohort's facilitators or the
affiliate's admins and editors, only in the meeting's window, every change audited."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from services.scheduler.database import runtime
from services.scheduler.models import AttendanceChange
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
    """A zone where it is about noon now, so the facilitator's 07:00-21:00 covers every meeting."""
    offset = 12 - datetime.now(UTC).hour
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


@pytest.fixture(scope="module")
def course(client: TestClient, admin_headers: dict[str, str]) -> dict[str, Any]:
    """A cohort of two seats with meetings now, 8 days ago and in 2 days; a waitlisted third."""
    zone = _midday_zone()
    now = datetime.now(ZoneInfo(zone)).replace(tzinfo=None, second=0, microsecond=0)
    program, affiliate = program_code(), 4242
    lead = new_facilitator(client, admin_headers, program, timezone=zone)
    state = offering_state(program=program, capacity=2, affiliate_id=affiliate, timezone=zone)
    starts = [now + timedelta(minutes=10), now - timedelta(days=8), now + timedelta(days=2)]
    state = state.model_copy(
        update={
            "meetings": [meeting(state.id * 10 + n, s, 1, zone) for n, s in enumerate(starts, 1)],
            "registration_closes_at_utc": datetime.now(UTC) + timedelta(days=30),
        }
    )
    publish(state)
    people = [new_educator(client, f"Edu{n}") for n in range(3)]
    registrations = [register(client, person, state.id) for person in people]
    assert [r["status"] for r in registrations] == ["confirmed", "confirmed", "waitlisted"]
    return {
        "meetings": [m.id for m in state.meetings],
        "lead": lead,
        "affiliate": affiliate,
        "registrations": [r["id"] for r in registrations],
        "program": program,
    }


def _put(client: TestClient, meeting_id: int, body: Any, headers: dict[str, str]) -> Any:
    return client.put(f"/meetings/{meeting_id}/attendance", json=body, headers=headers)


def _changes(meeting_id: int) -> list[tuple[int, str | None, str, int | None, str]]:
    with Session(runtime.engine()) as session:
        rows = session.exec(
            select(AttendanceChange)
            .where(AttendanceChange.meeting_id == meeting_id)
            .order_by(col(AttendanceChange.id))
        ).all()
        return [
            (r.registration_id, r.old_status, r.new_status, r.new_minutes, r.actor) for r in rows
        ]


def test_the_facilitator_marks_and_every_change_is_audited(
    client: TestClient, course: dict[str, Any]
) -> None:
    now, lead = course["meetings"][0], course["lead"]
    first, second, waiting = course["registrations"]
    before = client.get(f"/meetings/{now}/attendance", headers=lead["headers"]).json()
    assert [(i["registration_id"], i["status"]) for i in before["items"]] == [
        (first, "unmarked"),
        (second, "unmarked"),
    ], "only confirmed participants, the waitlisted are not in the room"
    body = [
        {"registration_id": first, "status": "present"},
        {"registration_id": second, "status": "partial", "minutes": 30},
    ]
    marked = _put(client, now, body, lead["headers"])
    assert marked.status_code == 200, marked.text
    assert [(i["status"], i["minutes"]) for i in marked.json()["items"]] == [
        ("present", None),
        ("partial", 30),
    ]
    again = _put(client, now, body, lead["headers"])
    assert again.json() == marked.json()
    editor = bearer(member_token(course["affiliate"], "editor"))
    changed = _put(client, now, [{"registration_id": second, "status": "present"}], editor)
    assert [i["status"] for i in changed.json()["items"]] == ["present", "present"]
    audit = _changes(now)
    assert [row[:4] for row in audit] == [
        (first, None, "present", None),
        (second, None, "partial", 30),
        (second, "partial", "present", None),
    ], "a repeat of the same marks writes nothing"
    assert audit[0][4].startswith(lead["name"]) and audit[2][4].startswith(
        f"Member of {course['affiliate']}"
    )
    assert waiting not in {i["registration_id"] for i in changed.json()["items"]}


def test_marking_outside_the_meetings_window_is_409(
    client: TestClient, course: dict[str, Any]
) -> None:
    _, long_ago, upcoming = course["meetings"]
    mark = [{"registration_id": course["registrations"][0], "status": "present"}]
    for meeting_id in (long_ago, upcoming):
        refused = _put(client, meeting_id, mark, course["lead"]["headers"])
        assert refused.status_code == 409, refused.text
        assert "can be marked from" in refused.json()["detail"]
        read = client.get(f"/meetings/{meeting_id}/attendance", headers=course["lead"]["headers"])
        assert read.status_code == 200 and {i["status"] for i in read.json()["items"]} == {
            "unmarked"
        }


@pytest.mark.parametrize(
    ("mark", "where", "says"),
    [
        ({"status": "partial"}, "minutes", "needs the minutes"),
        ({"status": "partial", "minutes": 60}, "minutes", "between 1 and 59"),
        ({"status": "present", "minutes": 10}, "minutes", "only a partial"),
        ({"status": "late"}, "status", ""),
    ],
)
def test_a_bad_mark_names_its_field_and_nothing_is_written(
    client: TestClient, course: dict[str, Any], mark: dict[str, Any], where: str, says: str
) -> None:
    now = course["meetings"][0]
    before = _changes(now)
    body = [
        {"registration_id": course["registrations"][0], "status": "absent"},
        {"registration_id": course["registrations"][1], **mark},
    ]
    refused = _put(client, now, body, course["lead"]["headers"])
    assert refused.status_code == 422, refused.text
    (problem,) = refused.json()["detail"]
    assert problem["loc"][:3] == ["body", 1, where] and says in problem["msg"]
    assert _changes(now) == before


def test_only_participants_the_caller_may_mark(
    client: TestClient, admin_headers: dict[str, str], course: dict[str, Any]
) -> None:
    now, lead = course["meetings"][0], course["lead"]
    first, _, waiting = course["registrations"]
    for registration_id in (waiting, 987_654):
        refused = _put(
            client,
            now,
            [{"registration_id": registration_id, "status": "present"}],
            lead["headers"],
        )
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["loc"] == ["body", 0, "registration_id"]
    twice = [{"registration_id": first, "status": "present"}] * 2
    assert _put(client, now, twice, lead["headers"]).json()["detail"][0]["msg"] == "listed twice"
    path = f"/meetings/{now}/attendance"
    stranger = new_facilitator(client, admin_headers, course["program"])
    assert client.get(path, headers=stranger["headers"]).status_code == 404
    assert (
        client.get(path, headers=bearer(member_token(course["affiliate"], "viewer"))).status_code
        == 403
    )
    assert client.get(path, headers=bearer(member_token(4243, "admin"))).status_code == 404
    assert client.get(path, headers=new_educator(client)["headers"]).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get("/meetings/987654321/attendance", headers=admin_headers).status_code == 404
    assert client.get(path, headers=admin_headers).status_code == 200
