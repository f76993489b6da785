"""People using Cohort over HTTP in end-to-end tests: operator, affiliate, educators."""

import re
import secrets
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from icalendar import Calendar

from tests.e2e.harness import Stack, access_token
from tests.support.processes import wait_http
from tests.support.smtp import Received
from tests.support.tokens import educator_token, next_person_id

ZONE = "America/Chicago"


def _ok(response: httpx.Response, *codes: int) -> Any:
    assert response.status_code in (codes or (200, 201)), f"{response.request.url}: {response.text}"
    return response.json()


def bearer(token: str) -> dict[str, str]:
    """Authorization header for a token."""
    return {"Authorization": f"Bearer {token}"}


def next_weekday_at(days_ahead: int, hour: int) -> datetime:
    """A local wall time on a weekday about `days_ahead` days from now, in ZONE."""
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour)


def meeting_body(start: datetime, hours: int = 3) -> dict[str, str]:
    """A meeting as the registry API takes it (local wall time)."""
    end = start + timedelta(hours=hours)
    return {
        "starts_at": start.isoformat(timespec="minutes"),
        "ends_at": end.isoformat(timespec="minutes"),
    }


@dataclass
class World:
    """An affiliate with a program, a facilitator, and helpers to make offerings and educators."""

    stack: Stack
    tag: str
    api_key: str
    program_code: str
    facilitator_email: str
    program_id: int

    @property
    def affiliate_key(self) -> str:
        """An access token of the affiliate's API key (an editor of it), from accounts."""
        return access_token(self.stack.accounts, self.api_key)

    @classmethod
    def create(cls, stack: Stack, sensitive: bool = False, seats: int = 30) -> "World":
        """A fresh affiliate, program (`seats` per cohort at most) and certified facilitator."""
        tag = secrets.token_hex(4)
        affiliate = _ok(
            httpx.post(
                f"{stack.registry}/affiliates",
                headers=stack.admin,
                json={
                    "name": f"Illinois Education Association {tag}",
                    "state": "IL",
                    "timezone": ZONE,
                },
            )
        )
        code = f"implicit-bias-{tag}"
        program = _ok(
            httpx.post(
                f"{stack.registry}/programs",
                headers=stack.admin,
                json={
                    "code": code,
                    "title": "Implicit Bias",
                    "description": "Recognising implicit bias.",
                    "facilitators_required": 1,
                    "max_participants": seats,
                    "pd_hours": 3.0,
                    "sensitive": sensitive,
                },
            )
        )
        email = f"facilitator-{tag}@facilitators.test"
        add_facilitator(stack, email, "Ana Díaz", code)
        key = _ok(
            httpx.post(
                f"{stack.accounts}/api-keys",
                headers=stack.admin,
                json={"name": f"posting {tag}", "affiliate_id": affiliate["id"]},
            )
        )
        return cls(stack, tag, key["key"], code, email, program["id"])

    def publish_offering(
        self, meetings: list[dict[str, str]], capacity: int = 25
    ) -> dict[str, Any]:
        """Create and publish a virtual offering; wait until the scheduler knows it."""
        offering = _ok(
            httpx.post(
                f"{self.stack.registry}/offerings",
                headers=bearer(self.affiliate_key),
                json={
                    "program_code": self.program_code,
                    "title": f"Implicit Bias in the Classroom {self.tag}",
                    "format": "virtual",
                    "timezone": ZONE,
                    "join_url": "https://meet.example.org/ib",
                    "capacity": capacity,
                    "max_cohorts": 1,
                    "meetings": meetings,
                },
            )
        )
        _ok(
            httpx.post(
                f"{self.stack.registry}/offerings/{offering['id']}/publish",
                headers=bearer(self.affiliate_key),
            )
        )
        roster_url = f"{self.stack.scheduler}/offerings/{offering['id']}/roster"
        deadline = time.monotonic() + 30
        while httpx.get(roster_url, headers=bearer(self.affiliate_key)).status_code != 200:
            assert time.monotonic() < deadline, (
                "the scheduler never received the offering\n" + self.stack.logs()
            )
            time.sleep(0.2)
        return offering

    def educator(self, name: str = "Zoë Ñúñez") -> dict[str, Any]:
        """A new educator, as if just signed in (a token signed with the test key)."""
        email = f"educator-{secrets.token_hex(4)}@schools.test"
        person_id = next_person_id()
        token = educator_token(person_id, email, name, zoneinfo=ZONE)
        return {"id": person_id, "name": name, "email": email, "token": token}

    def signed_in_educator(self, name: str = "Zoë Ñúñez") -> dict[str, Any]:
        """A new educator signed in the real way: the link mailed by accounts, redeemed."""
        email = f"educator-{secrets.token_hex(4)}@schools.test"
        body = {"email": email, "name": name, "timezone": ZONE}
        _ok(httpx.post(f"{self.stack.accounts}/sign-in", json=body), 202)
        code = wait_for_sign_in_code(self.stack, email)
        signed_in = _ok(httpx.post(f"{self.stack.accounts}/sign-in/redeem", json={"code": code}))
        person = signed_in["person"]
        return {**person, "token": signed_in["access_token"], "session": signed_in["session_token"]}

    def register(self, educator: dict[str, Any], offering: dict[str, Any]) -> dict[str, Any]:
        """Register an educator; returns the registration."""
        return _ok(
            httpx.post(
                f"{self.stack.scheduler}/registrations",
                headers=bearer(educator["token"]),
                json={"offering_id": offering["id"]},
            )
        )


def calendars_to(sink_messages: list[Received], email: str) -> list[Calendar]:
    """The calendar objects of every message sent to `email`, in arrival order."""
    found = []
    for message in sink_messages:
        if email not in message.rcpt_tos:
            continue
        for part in message.parsed().walk():
            if part.get_content_type() == "text/calendar":
                found.append(Calendar.from_ical(part.get_content()))
    return found


def messages_to(sink_messages: list[Received], email: str) -> list[Received]:
    """Every message sent to `email`."""
    return [m for m in sink_messages if email in m.rcpt_tos]


def register_until_answered(
    world: World,
    educator: dict[str, Any],
    offering: dict[str, Any],
    *,
    within: float = 60,
    answers: list[int] | None = None,
) -> int:
    """Register, retrying 503s and cut connections while an outage lasts; the status code that
    finally answered (every answer's status is added to `answers`)."""
    deadline = time.monotonic() + within
    while True:
        try:
            response = httpx.post(
                f"{world.stack.scheduler}/registrations",
                headers=bearer(educator["token"]),
                json={"offering_id": offering["id"]},
                timeout=15,
            )
        except httpx.TransportError:
            response = None
        if response is not None and answers is not None:
            answers.append(response.status_code)
        if response is not None and response.status_code in (200, 201):
            return response.status_code
        assert response is None or response.status_code == 503, response.text
        assert time.monotonic() < deadline, "registrations never recovered"
        time.sleep(0.2)


def invite_uids(sink_messages: list[Received], email: str) -> Counter[str]:
    """How many times `email` was invited (a REQUEST) to each meeting, by calendar UID."""
    return Counter(
        str(event["UID"])
        for calendar in calendars_to(sink_messages, email)
        if str(calendar["METHOD"]) == "REQUEST"
        for event in calendar.walk("VEVENT")
    )


def invites_sent_twice(sink_messages: list[Received], emails: list[str]) -> int:
    """How many invites beyond the first one per meeting these addresses received."""
    return sum(
        count - 1 for email in emails for count in invite_uids(sink_messages, email).values()
    )


def all_invited(sink_messages: list[Received], emails: list[str], meetings: int) -> bool:
    """Tell whether each address has an invite to each of `meetings` meetings."""
    return all(len(invite_uids(sink_messages, email)) == meetings for email in emails)


def wait_until_invited(stack: Stack, emails: list[str], meetings: int, timeout: float) -> None:
    """Wait until each address has an invite to each meeting; else fail saying how many lack."""
    try:
        stack.sink.wait_for(lambda seen: all_invited(seen, emails, meetings), timeout=timeout)
    except TimeoutError:
        missing = [e for e in emails if len(invite_uids(stack.sink.messages, e)) < meetings]
        raise AssertionError(f"{len(missing)} educators lack invites\n{stack.logs()}") from None


def last_first_invite(sink_messages: list[Received], emails: list[str]) -> float:
    """When (monotonic clock) the last (address, meeting) pair got its first invite."""
    first: dict[tuple[str, str], float] = {}
    for message in sink_messages:
        for email in set(emails).intersection(message.rcpt_tos):
            for uid in invite_uids([message], email):
                first.setdefault((email, uid), message.received_at)
    return max(first.values())


def left_over(stack: Stack) -> dict[str, int]:
    """Parked events per consuming service, and ledger rows still waiting to be sent (again)."""
    for url in (stack.registry, stack.scheduler, stack.notifier):
        wait_http(f"{url}/readyz", timeout=10)  # the first query after the restart may fail

    def total(url: str, **params: str) -> int:
        response = httpx.get(url, headers=stack.admin, params=params, timeout=10)
        assert response.status_code == 200, response.text
        return int(response.json()["total"])

    return {
        "scheduler dead": total(f"{stack.scheduler}/dead-events"),
        "notifier dead": total(f"{stack.notifier}/dead-events"),
        "queued": total(f"{stack.notifier}/deliveries", status="queued"),
        "sending": total(f"{stack.notifier}/deliveries", status="sending"),
    }


def add_facilitator(stack: Stack, email: str, name: str, program_code: str) -> None:
    """A facilitator certified for one program, free every day, who accepted the invitation."""
    _ok(
        httpx.post(
            f"{stack.scheduler}/facilitators",
            headers=stack.admin,
            json={
                "name": name,
                "email": email,
                "timezone": ZONE,
                "certifications": [program_code],
                "home_state": "IL",
                "max_sessions_per_month": 20,
                "availability": [
                    {"weekday": d, "start": "00:00", "end": "23:59"} for d in range(7)
                ],
            },
        )
    )
    accept_invitation(stack, email)


def wait_for_sign_in_code(stack: Stack, email: str, timeout: float = 30) -> str:
    """The code of the newest sign-in link mailed to `email` (waiting for the mail)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(messages_to(stack.sink.messages, email)):
            body = message.parsed().get_body(("plain",))
            text = body.get_content() if body is not None else ""
            found = re.search(r"/sign-in/confirm\?code=([A-Za-z0-9_-]+)", text)
            if found:
                return found.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no sign-in mail reached {email}\n{stack.logs()}")


def accept_invitation(stack: Stack, email: str) -> dict[str, Any]:
    """Open the invitation mailed to `email` and press its button, as the person would: their
    address is proven (a facilitator becomes bookable); the redeem answer."""
    code = wait_for_sign_in_code(stack, email)
    return dict(_ok(httpx.post(f"{stack.accounts}/sign-in/redeem", json={"code": code})))
