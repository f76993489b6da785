"""Erasure (`person.erased`): the person's name and email go; their rows stay, so registration
counts, cohort sizes, waitlists and staffing are what they were.

Blanked: the educator and facilitator profiles, the facilitator's name in assignment
explanations, idempotency answers, their name where the audit records what they did (audit log,
attendance changes, credit reversals), and the events this service holds (outbox, sent or not, and
parked ones). Applying it again finds nothing left to change.
"""

from functools import partial
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from services.scheduler import locks
from services.scheduler.database import runtime
from services.scheduler.models import (
    Assignment,
    AttendanceChange,
    CreditReversal,
    Facilitator,
    IdempotencyKey,
)
from shared import erasure, outbox
from shared.events import Event, PersonErased


def _blank_profiles(session: Session, person: erasure.Person) -> None:
    """Learn the person's names and addresses from their profiles, then blank them."""
    educator = locks.lock_educator(session, person.person_id)
    locks.lock_facilitators(session, [person.person_id])
    facilitator = session.get(Facilitator, person.person_id, populate_existing=True)
    address = erasure.erased_email(person.person_id)
    for profile in (educator, facilitator):
        if profile is None:
            continue
        person.learn([profile.email, profile.email_key], [profile.name])
        profile.name, profile.email, profile.email_key = erasure.ERASED_NAME, address, address
        session.add(profile)
    session.flush()


def _blank_explanations(session: Session, person: erasure.Person) -> None:
    """Assignment explanations name the facilitator as "<name> (id <id>)"."""
    for name in sorted(person.names):
        named = f"{name} (id {person.person_id})"
        erased = f"{erasure.ERASED_NAME} (id {person.person_id})"
        session.execute(
            update(Assignment)
            .where(
                col(Assignment.facilitator_id) == person.person_id,
                col(Assignment.explanation).contains(named, autoescape=True),
            )
            .values(explanation=func.replace(Assignment.explanation, named, erased))
        )


def _blank_idempotency_answers(session: Session, person: erasure.Person) -> None:
    """Stored answers to the educator's registration requests, should they name them."""
    query = select(IdempotencyKey).where(IdempotencyKey.educator_id == person.person_id)
    for stored in session.exec(query).all():
        body: dict[str, Any] = erasure.scrub(stored.body, person)
        if body != stored.body:
            stored.body = body
            session.add(stored)


def _blank_actor_names(session: Session, person_id: int) -> None:
    """Records of what the person did keep the action and their id, not their name."""
    runtime.audit.forget_actor(session.connection(), person_id)
    named = f"%(person {person_id})"
    stand_in = f"{erasure.ERASED_NAME} (person {person_id})"
    session.execute(
        update(AttendanceChange)
        .where(col(AttendanceChange.actor).like(named))
        .values(actor=stand_in)
    )
    session.execute(
        update(CreditReversal)
        .where(col(CreditReversal.revoked_by).like(named))
        .values(revoked_by=stand_in)
    )


def apply_person_erased(session: Session, event: Event) -> None:
    """Blank the person's name and email everywhere in the scheduler's database."""
    assert isinstance(event, PersonErased)
    person = erasure.Person(event.person_id)
    _blank_actor_names(session, event.person_id)
    _blank_profiles(session, person)
    _blank_explanations(session, person)
    _blank_idempotency_answers(session, person)
    rewrite = partial(erasure.scrub, person=person)
    outbox.rewrite_payloads(
        session.connection(), runtime.bus_tables, erasure.mentions(person), rewrite
    )
