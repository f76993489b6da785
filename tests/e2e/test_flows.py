"""End to end through real processes: HTTP in, SMTP out."""

import time
from datetime import UTC, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.actors import (
    ZONE,
    World,
    bearer,
    calendars_to,
    meeting_body,
    messages_to,
    next_weekday_at,
)
from tests.e2e.harness import Stack
from tests.support.smtp import Received

pytestmark = pytest.mark.e2e


def _method(calendar: object) -> str:
    return str(calendar["METHOD"])  # type: ignore[index]


def _event(calendar: object) -> object:
    return calendar.walk("VEVENT")[0]  # type: ignore[attr-defined]


def _has_cancel(messages: list[Received], email: str) -> bool:
    return any(_method(c) == "CANCEL" for c in calendars_to(messages, email))


def test_registration_sends_an_invite(stack: Stack) -> None:
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(20, 9))])
    educator = world.educator()
    assert world.register(educator, offering)["status"] == "confirmed"

    stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 1, timeout=30)
    invite = calendars_to(stack.sink.messages, educator["email"])[0]
    assert _method(invite) == "REQUEST"
    event = _event(invite)
    assert event["DTSTART"].dt.tzinfo.key == ZONE  # type: ignore[index]
    assert event["DTSTART"].dt.replace(tzinfo=None) == next_weekday_at(20, 9)  # type: ignore[index]


def test_waitlist_promotion_sends_an_invite(stack: Stack) -> None:
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(21, 9))], capacity=1)
    first, second = world.educator("Ava Johnson"), world.educator("Liam García")
    assert world.register(first, offering)["status"] == "confirmed"
    waiting = world.register(second, offering)
    assert waiting["status"] == "waitlisted"
    stack.sink.wait_for(lambda m: len(messages_to(m, second["email"])) >= 1, timeout=30)
    assert calendars_to(stack.sink.messages, second["email"]) == []  # the notice has no invite

    mine = [
        r
        for r in httpx.get(
            f"{stack.scheduler}/registrations", headers=bearer(first["token"])
        ).json()["items"]
    ]
    httpx.post(
        f"{stack.scheduler}/registrations/{mine[0]['id']}/cancel", headers=bearer(first["token"])
    ).raise_for_status()

    stack.sink.wait_for(lambda m: len(calendars_to(m, second["email"])) >= 1, timeout=30)
    assert _method(calendars_to(stack.sink.messages, second["email"])[0]) == "REQUEST"
    stack.sink.wait_for(
        lambda m: any(_method(c) == "CANCEL" for c in calendars_to(m, first["email"])), timeout=30
    )


def test_reschedule_sends_an_update_with_the_same_uid_and_a_higher_sequence(stack: Stack) -> None:
    world = World.create(stack)
    start = next_weekday_at(22, 9)
    offering = world.publish_offering([meeting_body(start)])
    educator = world.educator()
    world.register(educator, offering)
    stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 1, timeout=30)

    current = httpx.get(
        f"{stack.registry}/offerings/{offering['id']}", headers=bearer(world.affiliate_key)
    ).json()
    moved = {**meeting_body(start + timedelta(hours=4)), "id": current["meetings"][0]["id"]}
    httpx.patch(
        f"{stack.registry}/offerings/{offering['id']}",
        headers=bearer(world.affiliate_key),
        json={"meetings": [moved]},
    ).raise_for_status()

    stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 2, timeout=30)
    invite, update = (_event(c) for c in calendars_to(stack.sink.messages, educator["email"])[:2])
    assert update["UID"] == invite["UID"]  # type: ignore[index]
    assert int(update["SEQUENCE"]) > int(invite.get("SEQUENCE", 0))  # type: ignore[index,attr-defined]
    assert update["DTSTART"].dt.replace(tzinfo=None) == start + timedelta(hours=4)  # type: ignore[index]


def test_a_program_made_discreet_sends_updates_that_no_longer_name_it(stack: Stack) -> None:
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(22, 13))])
    educator = world.educator()
    world.register(educator, offering)
    stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 1, timeout=30)
    first = _event(calendars_to(stack.sink.messages, educator["email"])[0])
    assert world.tag in str(first["SUMMARY"])  # type: ignore[index]

    httpx.patch(
        f"{stack.registry}/programs/{world.program_id}",
        headers=stack.admin,
        json={"sensitive": True},
    ).raise_for_status()

    stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 2, timeout=30)
    received = messages_to(stack.sink.messages, educator["email"])
    update = _event(calendars_to(stack.sink.messages, educator["email"])[1])
    assert update["UID"] == first["UID"]  # type: ignore[index]
    assert world.tag not in str(update["SUMMARY"])  # type: ignore[index]
    assert str(update["CLASS"]) == "PRIVATE"  # type: ignore[index]
    mail = received[-1].parsed()
    assert "Implicit Bias" not in str(mail["Subject"])
    plain = mail.get_body(("plain",))
    assert plain is not None and "Implicit Bias" not in plain.get_content()


def test_cancelled_offering_sends_cancel_to_educators_and_facilitators(stack: Stack) -> None:
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(23, 13))])
    educator = world.educator()
    world.register(educator, offering)
    stack.sink.wait_for(lambda m: len(calendars_to(m, world.facilitator_email)) >= 1, timeout=30)
    stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 1, timeout=30)

    httpx.post(
        f"{stack.registry}/offerings/{offering['id']}/cancel",
        headers=bearer(world.affiliate_key),
        json={"reason": "Venue unavailable"},
    ).raise_for_status()

    for email in (educator["email"], world.facilitator_email):
        stack.sink.wait_for(partial(_has_cancel, email=email), timeout=30)
        cancels = [c for c in calendars_to(stack.sink.messages, email) if _method(c) == "CANCEL"]
        assert len(cancels) == 1
        assert str(_event(cancels[0])["STATUS"]) == "CANCELLED"  # type: ignore[index]


def test_a_reminder_due_soon_arrives_once(stack: Stack) -> None:
    zone = ZoneInfo(ZONE)
    due_in = datetime.now(UTC) + timedelta(hours=24, seconds=20)
    start = (due_in.astimezone(zone) + timedelta(minutes=1)).replace(
        second=0, microsecond=0, tzinfo=None
    )
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(start, hours=1)])
    educator = world.educator()
    world.register(educator, offering)

    def reminders(messages: list[Received]) -> list[Received]:
        return [
            m
            for m in messages_to(messages, educator["email"])
            if "remind" in str(m.parsed()["Subject"]).lower()
        ]

    stack.sink.wait_for(lambda m: len(reminders(m)) >= 1, timeout=150)
    time.sleep(6)  # three more sweeps
    assert len(reminders(stack.sink.messages)) == 1


def test_every_api_exposes_backlog_queue_depth_and_request_metrics(stack: Stack) -> None:
    for base in (stack.registry, stack.scheduler, stack.notifier):
        text = httpx.get(f"{base}/metrics").text
        assert "cohort_outbox_backlog{" in text
        assert 'cohort_queue_depth{queue="notifier"}' in text
        assert "cohort_http_requests_total{" in text
    notifier = httpx.get(f"{stack.notifier}/metrics").text
    assert 'cohort_deliveries{status="sent"}' in notifier


def test_logs_carry_the_request_id_to_the_mail_line_and_never_an_address(stack: Stack) -> None:
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(25, 9))])
    educator = world.educator()
    request_id = "e2e-trace-" + educator["email"].split("@")[0][-8:]
    response = httpx.post(
        f"{stack.scheduler}/registrations",
        headers={**bearer(educator["token"]), "X-Request-ID": request_id},
        json={"offering_id": offering["id"]},
    )
    assert response.status_code == 201
    stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 1, timeout=30)
    time.sleep(1)
    mail_lines = [
        line
        for line in stack.processes["notifier-worker"].log().splitlines()
        if request_id in line and "mail sent" in line
    ]
    assert mail_lines, "the mail log line does not carry the request id"
    for process in stack.processes.values():
        assert educator["email"] not in process.log()
        assert educator["token"] not in process.log()


def test_an_educator_who_erases_their_account_is_forgotten_everywhere(stack: Stack) -> None:
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(26, 9))])
    educator = world.signed_in_educator(name="Wilhelmina Oyelaran-Castañeda")
    registration = world.register(educator, offering)
    stack.sink.wait_for(lambda m: len(calendars_to(m, educator["email"])) >= 1, timeout=30)
    erased = httpx.post(f"{stack.accounts}/me/erase", headers=bearer(educator["token"]))
    assert erased.status_code == 202, erased.text
    roster_url = f"{stack.scheduler}/offerings/{offering['id']}/roster"

    def forgotten() -> bool:
        roster = httpx.get(roster_url, headers=stack.admin).json()
        (member,) = [
            m
            for c in roster["cohorts"]
            for m in c["members"]
            if m["registration_id"] == registration["id"]
        ]
        ledger = httpx.get(
            f"{stack.notifier}/deliveries",
            params={"recipient": educator["email"]},
            headers=stack.admin,
        ).json()
        return member["name"] == "Erased person" and ledger["total"] == 0

    deadline = time.monotonic() + 15
    while not forgotten():
        assert time.monotonic() < deadline, (
            "the erasure did not reach every service\n" + stack.logs()
        )
        time.sleep(0.3)
    deadline = time.monotonic() + 5
    while (
        httpx.get(f"{stack.scheduler}/registrations", headers=bearer(educator["token"])).status_code
        != 401
    ):
        assert time.monotonic() < deadline, "the erased person's token still works"
        time.sleep(0.2)
    roster = httpx.get(roster_url, headers=stack.admin).json()
    assert sum(len(c["members"]) for c in roster["cohorts"]) == 1, "the count stays"
