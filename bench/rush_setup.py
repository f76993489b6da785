"""The registration rush's world: fresh databases, the two servers, offerings and educators."""

from __future__ import annotations

import itertools
import os
import secrets
import tempfile
from collections import deque
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text

from bench.rush_load import Phase
from shared import events
from tests.support.infra import create_database, drop_database, private_redis_db
from tests.support.processes import BIN, Process, free_port, wait_http
from tests.support.tokens import educator_token, next_person_id, test_key_env

ZONE = "America/Chicago"


@contextmanager
def environment(admin_token: str, secret_key: str, bare_setting: str) -> Iterator[dict[str, str]]:
    """Fresh databases and a private Redis DB; this process and the servers share the env."""
    tag = f"cohort_rush_{os.getpid()}_{secrets.token_hex(3)}"
    names = {"scheduler": f"{tag}_scheduler", "bare": f"{tag}_bare"}
    with ExitStack() as stack:
        urls = {key: create_database(name) for key, name in names.items()}
        for name in names.values():
            stack.callback(drop_database, name)
        env = {
            "COHORT_ENV": "test",
            "COHORT_ADMIN_TOKEN": admin_token,
            "COHORT_SECRET_KEY": secret_key,
            "COHORT_REDIS_URL": stack.enter_context(private_redis_db()),
            "SCHEDULER_DATABASE_URL": urls["scheduler"],
            bare_setting: urls["bare"],
            "COHORT_LOG_LEVEL": "WARNING",
            # No consumer runs here to confirm the events, so the relay would send every event
            # again 30 s after it was sent (its path for lost confirmations), in the phases and
            # the cost measurement that follow; a run lasts under 10 minutes.
            "COHORT_OUTBOX_CONFIRM_AFTER": "600",
            # No accounts service runs here: the scheduler trusts the bench's test key alone.
            "COHORT_ACCOUNTS_URL": f"http://127.0.0.1:{free_port()}",
            **test_key_env(),
        }
        os.environ.update(env)
        from shared.settings import get_settings

        get_settings.cache_clear()
        yield env
        from services.scheduler.database import runtime

        runtime.engine().dispose()


def _uvicorn(app: str, port: int) -> list[str]:
    return [
        str(BIN / "uvicorn"), app, "--host", "127.0.0.1", "--port", str(port),
        "--workers", "1", "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


@dataclass(frozen=True)
class Server:
    """A server under test: where it listens and its process id."""

    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def servers(env: dict[str, str]) -> Iterator[tuple[Server, Server]]:
    """The bare app and the scheduler, one uvicorn worker each."""
    logs = Path(tempfile.mkdtemp(prefix="rush-logs-"))
    ports = {"bare": free_port(), "scheduler": free_port()}
    apps = {"bare": "bench.registration_rush:bare_app", "scheduler": "services.scheduler.main:app"}
    processes = [
        Process(name, _uvicorn(apps[name], port), env, logs) for name, port in ports.items()
    ]
    try:
        for process, port in zip(processes, ports.values(), strict=True):
            process.start()
            wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60, process=process)
        bare, scheduler = (
            Server(f"http://127.0.0.1:{port}", p.popen.pid if p.popen else 0)
            for p, port in zip(processes, ports.values(), strict=True)
        )
        yield bare, scheduler
    finally:
        for process in processes:
            process.stop()
        for process in processes:
            if "Traceback" in process.log():
                print(f"{process.name} log:\n{process.log()[-3000:]}")


@dataclass
class World:
    """Offerings to register for and a supply of educators' tokens."""

    spread_ids: list[int]
    hot_ids: list[int]
    hot_capacity: int
    first_educator_id: int
    educators: int
    used: Iterator[int] = field(default_factory=itertools.count)
    body_cache: dict[int, bytes] = field(default_factory=dict)
    tokens: deque[str] = field(default_factory=deque)

    def next_educator_id(self) -> int:
        """An educator who has not registered yet."""
        index = next(self.used)
        if index >= self.educators:
            raise RuntimeError("out of educators: seed more")
        return self.first_educator_id + index

    def prepare(self, count: int) -> None:
        """Sign the next `count` educators' tokens now, so that signing (a client's work)
        does not take the cores from the server during a timed phase."""
        self.tokens.extend(self._token() for _ in range(count - len(self.tokens)))

    def _token(self) -> str:
        educator_id = self.next_educator_id()
        index = educator_id - self.first_educator_id
        return educator_token(educator_id, _email(index), name=f"Educator {index}")

    def registration(self, offering_id: int) -> tuple[bytes, dict[str, str]]:
        """The next request: a new educator registering for the offering."""
        body = self.body_cache.get(offering_id)
        if body is None:
            body = self.body_cache[offering_id] = f'{{"offering_id": {offering_id}}}'.encode()
        token = self.tokens.popleft() if self.tokens else self._token()
        return body, {"Authorization": f"Bearer {token}"}

    def verify(self, phases: dict[str, list[Phase]]) -> list[str]:
        """Invariants after the run; an empty list means they all hold."""
        from services.scheduler.database import runtime

        problems = []
        for name, runs in phases.items():
            errors = sum(p.server_errors() for p in runs)
            if errors:
                problems.append(f"{name}: {errors} answers were 5xx")
        for phase in phases["hot"]:
            for status, body in phase.answers():
                if status in (200, 201) and body.get("status") not in ("confirmed", "waitlisted"):
                    problems.append(f"hot: unexpected answer {status} {body}")
                    break
        with runtime.engine().connect() as connection:
            over = connection.execute(
                text(
                    "SELECT c.id, count(*) FROM registration r JOIN cohort c ON c.id = r.cohort_id "
                    "JOIN offering o ON o.id = c.offering_id WHERE r.status = 'confirmed' "
                    "GROUP BY c.id, o.capacity HAVING count(*) > o.capacity"
                )
            ).all()
            used = self.hot_ids[: len(phases["hot"])]
            confirmed = connection.execute(
                text(
                    "SELECT offering_id, count(*) FROM registration WHERE status = 'confirmed' "
                    "AND offering_id = ANY(:ids) GROUP BY offering_id"
                ),
                {"ids": used},
            ).all()
        if over:
            problems.append(f"overbooked cohorts: {over}")
        if any(count != self.hot_capacity for _, count in confirmed) or len(confirmed) != len(used):
            problems.append(f"hot offerings should each hold {self.hot_capacity}: {confirmed}")
        return problems


def _offering(offering_id: int, capacity: int) -> events.Offering:
    start = datetime(2027, 4, 5, 14, tzinfo=UTC) + timedelta(hours=offering_id % 500)
    meeting = events.Meeting(
        id=offering_id * 10 + 1,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        starts_at_utc=start,
        ends_at_utc=start + timedelta(hours=3),
        timezone=ZONE,
    )
    return events.Offering(
        id=offering_id, status="published", affiliate_id=1, affiliate_name="Union Local 1",
        affiliate_state="IL", program_code="implicit-bias", program_title="Implicit Bias",
        sensitive=False, facilitators_required=1, pd_hours=3.0,
        title=f"Implicit bias in the classroom #{offering_id}", format="virtual", timezone=ZONE,
        join_url="https://meet.example.org/rush", capacity=capacity, max_cohorts=1,
        meetings=[meeting],
    )  # fmt: skip


def seed(*, spread: int, hot: int, hot_capacity: int, educators: int) -> World:
    """Publish the offerings and sign up the educators (straight into the scheduler database)."""
    from sqlmodel import Session

    from services.scheduler.database import runtime
    from services.scheduler.models import Educator
    from services.scheduler.offerings.service import apply_offering_published

    runtime.migrate()
    engine = runtime.engine()
    ids = list(range(1, spread + hot + 1))
    with Session(engine) as session:
        for offering_id in ids:
            capacity = hot_capacity if offering_id > spread else 10_000
            state = _offering(offering_id, capacity)
            apply_offering_published(session, events.OfferingPublished(offering=state))
        session.commit()
    # Educators who signed in before the rush: their profiles exist, under accounts' person ids.
    person_ids = [next_person_id() for _ in range(educators)]
    first = person_ids[0]
    rows = [
        {"id": person_ids[i], "name": f"Educator {i}", "email": _email(i), "email_key": _email(i),
         "created_at": datetime.now(UTC)}
        for i in range(educators)
    ]  # fmt: skip
    with engine.begin() as connection:
        connection.execute(insert(Educator), rows)
    return World(ids[:spread], ids[spread:], hot_capacity, first, educators)


def _email(index: int) -> str:
    return f"e{index}@rush.example.org"
