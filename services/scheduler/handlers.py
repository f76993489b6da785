"""Which function applies each event the scheduler consumes.

Consumed from the registry, one function per type, `facilitator.changed`, which the scheduler
sends itself, and from accounts `access.revoked` (kept in the revocation list), `person.erased`,
`person.verified` (a facilitator becomes bookable) and `person.updated` (a new name, zone or
language on their profiles): each runs inside the consumer's
transaction (it never commits) and tolerates duplicates and out-of-order delivery
(`offerings/projection.py`; staffing waiting cohorts again changes nothing the second time; an
erasure finds nothing left to blank).
What the notifier sends for each event the scheduler emits is written on the event classes in
`shared/events/scheduler.py`.
"""

from services.scheduler.assignments.waiting import apply_facilitator_changed
from services.scheduler.database import revocations
from services.scheduler.offerings.service import (
    apply_offering_cancelled,
    apply_offering_published,
    apply_offering_updated,
)
from services.scheduler.people.erasure import apply_person_erased
from services.scheduler.people.updates import apply_person_updated
from services.scheduler.people.verification import apply_person_verified
from shared.consumer import Handler
from shared.events import (
    AccessRevoked,
    FacilitatorChanged,
    OfferingCancelled,
    OfferingPublished,
    OfferingUpdated,
    PersonErased,
    PersonUpdated,
    PersonVerified,
)

HANDLERS: dict[str, Handler] = {
    OfferingPublished.TYPE: apply_offering_published,  # type: ignore[dict-item]
    OfferingUpdated.TYPE: apply_offering_updated,  # type: ignore[dict-item]
    OfferingCancelled.TYPE: apply_offering_cancelled,  # type: ignore[dict-item]
    FacilitatorChanged.TYPE: apply_facilitator_changed,  # type: ignore[dict-item]
    AccessRevoked.TYPE: revocations.apply,
    PersonErased.TYPE: apply_person_erased,
    PersonVerified.TYPE: apply_person_verified,
    PersonUpdated.TYPE: apply_person_updated,
}
