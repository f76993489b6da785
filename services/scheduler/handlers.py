"""Which function applies each event the scheduler consumes.

Consumed from the registry, one function per type: each runs inside the consumer's transaction
(it never commits) and tolerates duplicates and out-of-order delivery (`offerings/projection.py`).
What the notifier sends for each event the scheduler emits is written on the event classes in
`shared/events/scheduler.py`.
"""

from services.scheduler.offerings.service import (
    apply_offering_cancelled,
    apply_offering_published,
    apply_offering_updated,
)
from shared.consumer import Handler
from shared.events import OfferingCancelled, OfferingPublished, OfferingUpdated

HANDLERS: dict[str, Handler] = {
    OfferingPublished.TYPE: apply_offering_published,  # type: ignore[dict-item]
    OfferingUpdated.TYPE: apply_offering_updated,  # type: ignore[dict-item]
    OfferingCancelled.TYPE: apply_offering_cancelled,  # type: ignore[dict-item]
}
