"""Facilitators added all at once while cohorts wait, and while more offerings are published.

Each thread runs the same use cases as the API and the worker: POST /facilitators' use case,
then the worker's handler of the `facilitator.changed` it recorded (or a publish, as the worker
applies it). Afterwards: no facilitator holds overlapping bookings, no cohort has more
facilitators than it needs, and every cohort still waiting fits nobody now, for the reason it
states.
"""

import secrets
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from services.scheduler.assignments.engine import NoFit, pick_facilitators
from services.scheduler.assignments.pool import cohort_need, load_bookings, load_profiles
from services.scheduler.assignments.service import active_assignments
from services.scheduler.assignments.waiting import apply_facilitator_changed
from services.scheduler.database import travel_buffer
from services.scheduler.models import Cohort, Offering
from services.scheduler.people.schemas import FacilitatorCreate
from services.scheduler.people.service import add_facilitator
from services.scheduler.snapshots import offering_meetings
from shared import events
from tests.support.scheduler import WEEKDAYS, ZONE, offering_state, program_code, run_together
from tests.support.scheduler_race import count, publish_in
from tests.support.tokens import next_person_id

pytestmark = pytest.mark.timeout(240)

AT_ONCE = [datetime(2029, 10, 3, 9)]
OVERLAPS = (
    "SELECT count(*) FROM facilitator_booking a JOIN facilitator_booking b "
    "ON a.facilitator_id = b.facilitator_id AND a.id < b.id AND a.active AND b.active "
    "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
    "WHERE a.facilitator_id = ANY(:ids)"
)
OVERSTAFFED = (
    "SELECT count(*) FROM (SELECT c.id FROM cohort c JOIN offering o ON o.id = c.offering_id "
    "JOIN assignment a ON a.cohort_id = c.id AND a.status = 'active' "
    "WHERE o.id = ANY(:ids) GROUP BY c.id, o.facilitators_required "
    "HAVING count(*) > o.facilitators_required) AS over"
)


def _add_and_staff(engine: Engine, program: str) -> int:
    """Add a facilitator as POST /facilitators does, then apply its event as the worker does."""
    body = FacilitatorCreate.model_validate(
        {
            "name": "Racer",
            "email": f"racer-{secrets.token_hex(5)}@trainers.example.org",
            "timezone": ZONE,
            "certifications": [program],
            "home_state": "OH",
            "max_sessions_per_month": 20,
            "availability": WEEKDAYS,
        }
    )
    with Session(engine, expire_on_commit=False) as session:
        created = add_facilitator(
            session=session, data=body, person_id=next_person_id(), affiliate_id=None
        )
    with Session(engine) as session:
        assert created.id is not None
        apply_facilitator_changed(session, events.FacilitatorChanged(facilitator_id=created.id))
        session.commit()
    return created.id


def _fits_nobody_as_stated(engine: Engine, offering_id: int) -> bool:
    """Whether the offering's waiting cohort fits nobody now, for the reason it states."""
    with Session(engine) as session:
        offering = session.get(Offering, offering_id)
        assert offering is not None
        cohort = session.exec(select(Cohort).where(Cohort.offering_id == offering_id)).one()
        meetings = offering_meetings(session, offering_id)
        current = {a.facilitator_id for a in active_assignments(session, cohort.id or 0)}
        missing = offering.facilitators_required - len(current)
        pool = [
            p
            for p in load_profiles(session, certified_for=offering.program_code)
            if p.id not in current
        ]
        need = cohort_need(offering, cohort.id or 0, meetings, missing)
        bookings = load_bookings(session, meetings, [p.id for p in pool])
        pick = pick_facilitators(need, pool, bookings, travel_buffer=travel_buffer())
        return (
            isinstance(pick, NoFit)
            and cohort.needs_facilitator_reason == pick.reason
            and cohort.needs_facilitator_detail == pick.detail
        )


def test_facilitators_added_at_once_never_double_book_or_overstaff(
    guarded: Engine, relay_only: None
) -> None:
    program = program_code()
    waiting = [
        offering_state(program=program, starts=AT_ONCE, facilitators_required=required)
        for required in (1, 1, 2, 1, 2, 1)
    ]
    for state in waiting:
        publish_in(guarded, state)
    later = [offering_state(program=program, starts=AT_ONCE) for _ in range(3)]
    adders = 6

    def work(index: int) -> int | None:
        if index < adders:
            return _add_and_staff(guarded, program)
        publish_in(guarded, later[index - adders])
        return None

    results = run_together(adders + len(later), work)
    assert not [r for r in results if isinstance(r, Exception)], results
    facilitators = [r for r in results if isinstance(r, int)]
    offering_ids = [o.id for o in waiting + later]
    assert count(guarded, OVERLAPS, ids=facilitators) == 0
    assert count(guarded, OVERSTAFFED, ids=offering_ids) == 0
    # Everyone meets at once and seven cohorts need one facilitator: each leads exactly one.
    booked = count(
        guarded,
        "SELECT count(*) FROM assignment WHERE status = 'active' AND facilitator_id = ANY(:ids)",
        ids=facilitators,
    )
    assert booked == len(facilitators) == adders
    with Session(guarded) as session:
        cohorts = session.exec(
            select(Cohort).where(col(Cohort.offering_id).in_(offering_ids))
        ).all()
    still_waiting = [c.offering_id for c in cohorts if c.status == Cohort.NEEDS_FACILITATOR]
    assert still_waiting, "nine cohorts at one time cannot all be led by six facilitators"
    assert all(_fits_nobody_as_stated(guarded, offering_id) for offering_id in still_waiting)
    staffed = [c for c in cohorts if c.status == Cohort.OPEN]
    assert all(c.needs_facilitator_reason is None for c in staffed)
