"""Facilitator booking races on PostgreSQL, with a control run that shows the overlap unguarded.

40 offerings meeting at the same time are published at once, each wanting the one facilitator
certified for their program. Guarded: the facilitator row lock with a re-check, and the
exclusion constraint (also shown holding on its own). Control: neither.
"""

import secrets
import time
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from services.scheduler.assignments import service as service_assignments
from services.scheduler.models import Facilitator
from shared import events
from tests.support.scheduler import WEEKDAYS, offering_state, program_code, run_together
from tests.support.scheduler_race import (
    PAUSE,
    count,
    publish_in,
)
from tests.support.tokens import next_person_id

pytestmark = pytest.mark.timeout(240)


OVERLAPS = (
    "SELECT count(*) FROM facilitator_booking a JOIN facilitator_booking b "
    "ON a.facilitator_id = b.facilitator_id AND a.id < b.id AND a.active AND b.active "
    "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at WHERE a.facilitator_id = :f"
)


def _facilitator(engine: Engine, program: str) -> int:
    with Session(engine) as session:
        row = Facilitator(
            id=next_person_id(),
            name="Solo",
            email="solo@x.org",
            email_key=f"{secrets.token_hex(8)}@x.org",
            timezone="America/New_York",
            certifications=[program],
            home_state="OH",
            max_sessions_per_month=200,
            availability=WEEKDAYS,
            verified=True,
        )
        session.add(row)
        session.commit()
        return row.id or 0


def _overlapping_offerings(program: str, count: int) -> list[events.Offering]:
    starts = [datetime(2029, 9, 12, 9)]
    return [offering_state(program=program, starts=starts) for _ in range(count)]


def _without_facilitator_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """No row lock, and a pause between the re-check and the insert it allows."""
    original = service_assignments.hard_violations

    def check_then_pause(*args: Any, **kwargs: Any) -> list[str]:
        found = original(*args, **kwargs)
        time.sleep(PAUSE)
        return found

    monkeypatch.setattr(service_assignments, "lock_facilitators", lambda _session, _ids: None)
    monkeypatch.setattr(service_assignments, "hard_violations", check_then_pause)


def test_control_facilitator_overlaps_without_lock_and_constraint(
    unguarded: Engine, monkeypatch: pytest.MonkeyPatch, relay_only: None
) -> None:
    program = program_code()
    facilitator = _facilitator(unguarded, program)
    offerings = _overlapping_offerings(program, 40)
    _without_facilitator_lock(monkeypatch)
    results = run_together(40, lambda i: publish_in(unguarded, offerings[i]))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert count(unguarded, OVERLAPS, f=facilitator) > 0, "the control run should overlap"


@pytest.mark.parametrize("guard", ["row lock and constraint", "constraint alone"])
def test_40_concurrent_assignments_never_overlap(
    guard: str, guarded: Engine, monkeypatch: pytest.MonkeyPatch, relay_only: None
) -> None:
    engine = guarded
    program = program_code()
    facilitator = _facilitator(engine, program)
    offerings = _overlapping_offerings(program, 40)
    if guard == "constraint alone":
        _without_facilitator_lock(monkeypatch)
    results = run_together(40, lambda i: publish_in(engine, offerings[i]))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert count(engine, OVERLAPS, f=facilitator) == 0
    assigned = count(
        engine,
        "SELECT count(*) FROM assignment WHERE facilitator_id = :f AND status = 'active'",
        f=facilitator,
    )
    assert assigned == 1
    waiting = count(
        engine,
        "SELECT count(*) FROM cohort WHERE offering_id = ANY(:ids) "
        "AND status = 'needs_facilitator' AND needs_facilitator_reason = 'nobody_available'",
        ids=[o.id for o in offerings],
    )
    assert waiting == 39
