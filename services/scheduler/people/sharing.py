"""Sharing an affiliate's own facilitator with every affiliate (an operator's decision)."""

from sqlmodel import Session

from services.scheduler.database import run_in_transaction, runtime
from services.scheduler.locks import lock_facilitator_pool, lock_facilitators
from services.scheduler.models import Facilitator
from services.scheduler.people.schemas import FacilitatorPublic, SharingChange
from services.scheduler.people.service import facilitator_public, pool_changed
from shared.auth import Principal
from shared.errors import NotFound
from shared.validation import storable_id


def change_sharing(
    *, session: Session, facilitator_id: int, data: SharingChange, principal: Principal
) -> FacilitatorPublic:
    """Share a facilitator with every affiliate, or keep them to their own (operator)."""
    if not storable_id(facilitator_id):
        raise NotFound("facilitator not found")
    return run_in_transaction(
        session, lambda: _change(session, facilitator_id, data.shared, principal)
    )


def _change(
    session: Session, facilitator_id: int, shared: bool, principal: Principal
) -> FacilitatorPublic:
    lock_facilitator_pool(session, exclusive=True)
    lock_facilitators(session, [facilitator_id])
    facilitator = session.get(Facilitator, facilitator_id, populate_existing=True)
    if facilitator is None:
        raise NotFound("facilitator not found")
    if facilitator.shared != shared:
        facilitator.shared = shared
        session.add(facilitator)
        session.flush()
        pool_changed(session, facilitator)
        runtime.audit_action(
            session,
            principal,
            "facilitator.share",
            f"facilitator {facilitator_id}",
            {"shared": shared, "affiliate_id": facilitator.affiliate_id},
        )
    return facilitator_public(facilitator)
