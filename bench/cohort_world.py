"""Cohort set up for load: an affiliate, a program, facilitators, roomy offerings, educators.

Offerings and facilitators go through the public HTTP API (the registry publishes, the
scheduler projects and staffs the first cohort; the affiliate posts with an access token of its
API key from accounts). Educators' profiles are inserted straight into the scheduler's table,
under person ids no one else uses, and their access tokens are signed with the test key: tens of
thousands are needed and signing in is not what is measured. Registrations are spread
round-robin over several offerings, each kept below its capacity, so every registration is
confirmed and turns into an invite; offerings with seats left are reused by the next phase.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import create_engine, insert
from sqlalchemy.engine import Engine

from bench.openloop import Request
from services.scheduler.models import Educator
from tests.e2e.actors import ZONE, bearer, meeting_body, next_weekday_at
from tests.e2e.harness import Stack, access_token
from tests.support.tokens import educator_token, next_person_id

CAPACITY = 1000
SEATS_USED = 900
MIN_OFFERINGS = 8
FACILITATORS = 3
EDUCATOR_BATCH = 2000


def _ok(response: httpx.Response) -> Any:
    if response.status_code not in (200, 201):
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return response.json()


def database_engine(url: str) -> Engine:
    """An engine on a service's database for setup and read-back."""
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))


@dataclass
class CohortLoad:
    """Makes offerings and educators on demand and turns them into registration requests."""

    stack: Stack
    tag: str
    api_key: str
    program_code: str
    scheduler_db: Engine
    offerings_made: int = 0
    educators_made: int = 0
    seats_left: dict[int, int] = field(default_factory=dict)

    @classmethod
    def create(cls, stack: Stack, scheduler_database_url: str) -> CohortLoad:
        """An affiliate, a program of up to CAPACITY seats and facilitators certified for it."""
        tag = secrets.token_hex(4)
        client = httpx.Client(timeout=60)
        affiliate = _ok(
            client.post(
                f"{stack.registry}/affiliates",
                headers=stack.admin,
                json={
                    "name": f"Bench Education Association {tag}",
                    "state": "IL",
                    "timezone": ZONE,
                },
            )
        )
        code = f"bench-{tag}"
        program = {
            "code": code,
            "title": "Implicit Bias",
            "description": "Recognising implicit bias.",
            "facilitators_required": 1,
            "max_participants": CAPACITY,
            "pd_hours": 3.0,
        }
        _ok(client.post(f"{stack.registry}/programs", headers=stack.admin, json=program))
        emails = [f"facilitator-{tag}-{n}@facilitators.test" for n in range(FACILITATORS)]
        for email in emails:
            _ok(
                client.post(
                    f"{stack.scheduler}/facilitators",
                    headers=stack.admin,
                    json=_facilitator(email, code),
                )
            )
        key = _ok(
            client.post(
                f"{stack.accounts}/api-keys",
                headers=stack.admin,
                json={"name": f"bench posting {tag}", "affiliate_id": affiliate["id"]},
            )
        )
        engine = database_engine(scheduler_database_url)
        return cls(stack, tag, key["key"], code, engine)

    @property
    def affiliate_key(self) -> str:
        """An access token of the affiliate's API key, from accounts (minted again when old)."""
        return access_token(self.stack.accounts, self.api_key)

    def _new_offerings(self, count: int) -> list[int]:
        """Publish `count` offerings, then wait until the scheduler has them all."""
        stack, headers = self.stack, bearer(self.affiliate_key)
        made = []
        with httpx.Client(timeout=60) as client:
            for _ in range(count):
                k = self.offerings_made
                self.offerings_made += 1
                start = next_weekday_at(40 + k // 4, 9 + (k % 4) * 2)
                body = {
                    "program_code": self.program_code,
                    "title": f"Implicit Bias in the Classroom {self.tag} {k}",
                    "format": "virtual",
                    "timezone": ZONE,
                    "join_url": "https://meet.example.org/ib",
                    "capacity": CAPACITY,
                    "max_cohorts": 2,
                    "meetings": [meeting_body(start, hours=1)],
                }
                offering = _ok(
                    client.post(f"{stack.registry}/offerings", headers=headers, json=body)
                )
                url = f"{stack.registry}/offerings/{offering['id']}/publish"
                _ok(client.post(url, headers=headers))
                made.append(int(offering["id"]))
            for offering_id in made:
                _wait_for_roster(
                    client, f"{stack.scheduler}/offerings/{offering_id}/roster", headers
                )
        self.seats_left.update((offering_id, SEATS_USED) for offering_id in made)
        return made

    def _new_educators(self, count: int) -> list[tuple[int, str]]:
        now = datetime.now(UTC)
        rows = []
        for _ in range(count):
            n = self.educators_made
            self.educators_made += 1
            email = f"educator-{self.tag}-{n}@schools.test"
            rows.append(
                {
                    "id": next_person_id(),
                    "name": f"Educator {n}",
                    "email": email,
                    "email_key": email,
                    "timezone": ZONE,
                    "created_at": now,
                }
            )
        table = Educator.__table__  # type: ignore[attr-defined]
        made: list[tuple[int, str]] = []
        with self.scheduler_db.begin() as connection:
            for i in range(0, len(rows), EDUCATOR_BATCH):
                statement = insert(table).returning(
                    table.c.id, table.c.email, sort_by_parameter_order=True
                )
                made += [
                    (int(r[0]), str(r[1]))
                    for r in connection.execute(statement, rows[i : i + EDUCATOR_BATCH])
                ]
        return made

    def _open_offerings(self, count: int) -> list[int]:
        """Offerings with room for `count` more registrations, at least MIN_OFFERINGS of them."""
        open_now = [o for o, left in self.seats_left.items() if left > 0]
        room = sum(self.seats_left[o] for o in open_now)
        short = math.ceil(max(0, count - room) / SEATS_USED)
        self._new_offerings(max(short, MIN_OFFERINGS - len(open_now)))
        return [o for o, left in self.seats_left.items() if left > 0]

    def requests(self, count: int) -> list[Request]:
        """`count` registrations of new educators, round-robin over offerings with room."""
        offerings = self._open_offerings(count)
        educators = self._new_educators(count)
        made, turn = [], 0
        for educator_id, email in educators:
            while self.seats_left[offerings[turn % len(offerings)]] == 0:
                turn += 1
            offering_id = offerings[turn % len(offerings)]
            self.seats_left[offering_id] -= 1
            turn += 1
            token = educator_token(educator_id, email)
            body = json.dumps({"offering_id": offering_id}).encode()
            made.append(
                Request(email.lower(), "/registrations", body, tuple(bearer(token).items()))
            )
        return made


def _facilitator(email: str, program_code: str) -> dict[str, Any]:
    return {
        "name": "Ana Díaz",
        "email": email,
        "timezone": ZONE,
        "certifications": [program_code],
        "home_state": "IL",
        "max_sessions_per_month": 200,
        "availability": [{"weekday": d, "start": "00:00", "end": "23:59"} for d in range(7)],
    }


def _wait_for_roster(client: httpx.Client, url: str, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while client.get(url, headers=headers).status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the scheduler never received {url}")
        time.sleep(0.2)
