"""The events of registrations, each built here and nowhere else.

`registration.confirmed` (a seat, taken directly or promoted from the waitlist),
`registration.waitlisted` (a place in line) and `registration.cancelled` (with the reason set
on the row). What the notifier sends for each is the contract in `shared.events`.
"""

from collections.abc import Sequence

from services.scheduler import snapshots
from services.scheduler.locks import EducatorFacts, OfferingFacts
from services.scheduler.models import Educator, Offering, Registration
from shared import events


def confirmed(
    *,
    registration_id: int,
    educator: Educator | EducatorFacts,
    cohort: events.Cohort,
    promoted: bool,
) -> events.RegistrationConfirmed:
    """The event telling an educator they hold a seat in `cohort`."""
    return events.RegistrationConfirmed(
        registration_id=registration_id,
        educator=snapshots.educator_recipient(educator),
        cohort=cohort,
        promoted_from_waitlist=promoted,
    )


def waitlisted(
    *,
    offering: OfferingFacts,
    meetings: Sequence[events.Meeting],
    registration_id: int,
    educator: EducatorFacts,
    position: int,
) -> events.RegistrationWaitlisted:
    """The event telling an educator where they wait."""
    return events.RegistrationWaitlisted(
        registration_id=registration_id,
        educator=snapshots.educator_recipient(educator),
        offering_id=offering.id,
        offering_title=offering.title,
        program_title=offering.program_title,
        sensitive=offering.sensitive,
        timezone=offering.timezone,
        position=position,
        meetings=list(meetings),
        affiliate_contact_email=offering.affiliate_contact_email,
    )


def cancelled(
    *,
    registration: Registration,
    educator: Educator,
    previous: str,
    cohort: events.Cohort | None,
    offering: Offering,
    detail: str = "",
) -> events.RegistrationCancelled:
    """The event telling an educator their registration ended (the reason is on the row;
    `detail` is the affiliate's own words when it cancelled the offering)."""
    assert registration.cancel_reason is not None, "set the reason before telling anyone"
    return events.RegistrationCancelled(
        registration_id=registration.id or 0,
        educator=snapshots.educator_recipient(educator),
        offering_id=registration.offering_id,
        previous_status=previous,
        reason=registration.cancel_reason,
        cohort=cohort,
        offering_title=offering.title,
        program_title=offering.program_title,
        sensitive=offering.sensitive,
        detail=detail,
        affiliate_contact_email=offering.affiliate_contact_email,
    )
