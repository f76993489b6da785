"""A facilitator proved their address (`person.verified` from accounts): now they may be booked."""

from sqlmodel import Session

from services.scheduler.locks import lock_facilitator_pool, lock_facilitators
from services.scheduler.models import Facilitator
from services.scheduler.people.service import pool_changed
from shared.events import Event, PersonVerified


def apply_person_verified(session: Session, event: Event) -> None:
    """Make the person's facilitator record bookable and staff waiting cohorts with them."""
    assert isinstance(event, PersonVerified)
    lock_facilitator_pool(session, exclusive=True)
    lock_facilitators(session, [event.person_id])
    facilitator = session.get(Facilitator, event.person_id, populate_existing=True)
    if facilitator is None or facilitator.verified:
        return
    facilitator.verified = True
    session.add(facilitator)
    session.flush()
    pool_changed(session, facilitator)
