"""Use cases behind the notifier's HTTP API."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.notifier.feeds import recipient_feed
from services.notifier.ledger import queue_again
from services.notifier.models import DeliveriesPublic, Delivery, DeliveryPublic
from shared.auth import Principal, Role
from shared.errors import Conflict, NotFound

FEED_ROLES = {Role.EDUCATOR: "educator", Role.FACILITATOR: "facilitator"}


def list_deliveries(
    *,
    session: Session,
    recipient: str | None = None,
    kind: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> DeliveriesPublic:
    """A page of the ledger, newest first, filtered by recipient address, kind and status."""
    conditions = []
    if recipient:
        conditions.append(Delivery.recipient == recipient.strip().lower())
    if kind:
        conditions.append(Delivery.kind == kind)
    if status:
        conditions.append(Delivery.status == status)
    total = session.exec(select(func.count()).select_from(Delivery).where(*conditions)).one()
    rows = session.exec(
        select(Delivery)
        .where(*conditions)
        .order_by(col(Delivery.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    items = [DeliveryPublic.model_validate(row, from_attributes=True) for row in rows]
    return DeliveriesPublic(items=items, total=int(total))


def retry_delivery(*, session: Session, delivery_id: int) -> DeliveryPublic:
    """Put a failed message back in the queue with a fresh set of attempts."""
    row = session.get(Delivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFound(f"delivery {delivery_id} not found")
    if row.status != "failed":
        raise Conflict(f"delivery {delivery_id} is {row.status}; only failed ones are retried")
    if not row.message:
        raise Conflict(f"delivery {delivery_id} could not be composed; correct its data first")
    queue_again(session, row)
    session.commit()
    session.refresh(row)
    return DeliveryPublic.model_validate(row, from_attributes=True)


def calendar_feed(*, session: Session, principal: Principal) -> str | None:
    """The live feed of an educator or facilitator; None for any other role."""
    recipient_kind = FEED_ROLES.get(principal.role)
    if recipient_kind is None or principal.subject_id is None:
        return None
    return recipient_feed(session, recipient_kind=recipient_kind, recipient_id=principal.subject_id)
