"""Use case of reading one facilitator: their certifications, zone, windows and sharing."""

from sqlmodel import Session

from services.scheduler.models import Facilitator
from services.scheduler.people.schemas import FacilitatorPublic
from services.scheduler.people.service import facilitator_public
from shared.auth import MemberRole, Principal
from shared.errors import NotFound
from shared.validation import storable_id


def read_facilitator(
    *, session: Session, facilitator_id: int, principal: Principal
) -> FacilitatorPublic:
    """The facilitator, for themselves, the operator and their own affiliate's admins."""
    row = session.get(Facilitator, facilitator_id) if storable_id(facilitator_id) else None
    if row is None or not _may_read(principal, row):
        raise NotFound("facilitator not found")
    return facilitator_public(row)


def _may_read(principal: Principal, row: Facilitator) -> bool:
    if principal.is_operator or principal.facilitator_id == row.id:
        return True
    return row.affiliate_id is not None and principal.member_of(row.affiliate_id, MemberRole.ADMIN)
