"""Use cases driven by the registry: an offering is published, changed or cancelled."""

from collections.abc import Sequence

from sqlmodel import Session, col, select

from services.scheduler.assignments.service import (
    Refit,
    active_assignments,
    end_assignment,
    refit_cohort,
)
from services.scheduler.database import runtime
from services.scheduler.models import Cohort, Educator, Offering, Registration
from services.scheduler.offerings import rules
from services.scheduler.offerings.projection import (
    create_published,
    lock_or_create,
    meeting_intervals,
    replace_meetings,
    store_state,
    visible_state,
)
from services.scheduler.registrations import events as registration_events
from services.scheduler.registrations.seats import open_cohorts_for_waitlist
from services.scheduler.snapshots import (
    cohort_recipients,
    cohort_snapshot,
    meeting_snapshot,
    offering_meetings,
)
from shared import events


def apply_offering_published(session: Session, event: events.OfferingPublished) -> None:
    """Open a newly published offering with its first cohort (or apply it as an update)."""
    state = event.offering
    offering, created = lock_or_create(session, state, Offering.PUBLISHED)
    if created:
        create_published(session, offering, state)
    elif offering.status != Offering.CANCELLED and not _stale(offering, state):
        change_offering(session, offering, state)


def apply_offering_updated(session: Session, event: events.OfferingUpdated) -> None:
    """Apply a newer state of a published offering (an update before its publish creates it)."""
    state = event.offering
    if state.status == Offering.CANCELLED:
        cancel_offering(session, state, reason="offering_cancelled")
        return
    if state.status != Offering.PUBLISHED:
        return
    offering, created = lock_or_create(session, state, Offering.PUBLISHED)
    if created:
        create_published(session, offering, state)
    elif offering.status != Offering.CANCELLED and not _stale(offering, state):
        change_offering(session, offering, state)


def apply_offering_cancelled(session: Session, event: events.OfferingCancelled) -> None:
    """Cancel an offering with all its cohorts, registrations and assignments."""
    cancel_offering(session, event.offering, reason=event.reason or "offering_cancelled")


def _stale(offering: Offering, state: events.Offering) -> bool:
    incoming = rules.Stamp(state.version, state.updated_at)
    stored = rules.Stamp(offering.source_version, offering.source_updated_at)
    return rules.is_stale(incoming, stored)


def live_cohorts(session: Session, offering_id: int) -> list[Cohort]:
    """An offering's cohorts that still meet, by index."""
    query = (
        select(Cohort)
        .where(Cohort.offering_id == offering_id, Cohort.status != Cohort.CANCELLED)
        .order_by(col(Cohort.index))
    )
    return list(session.exec(query).all())


def change_offering(session: Session, offering: Offering, state: events.Offering) -> None:
    """Store a new state; re-check facilitators, tell booked people, fill new seats."""
    before = visible_state(offering)
    old_meetings = offering_meetings(session, offering.id)
    removed_view = {m.id: meeting_snapshot(m, offering.timezone) for m in old_meetings}
    # Read before replacing: the rows are updated in place.
    old_intervals = meeting_intervals(old_meetings)
    store_state(session, offering, state)
    meetings = replace_meetings(session, offering.id, state)
    changes = rules.diff_meetings(old_intervals, meeting_intervals(meetings))
    changed = rules.visible_changes(before, visible_state(offering), changes)
    for cohort in live_cohorts(session, offering.id):
        refit = Refit()
        if rules.REFIT_FIELDS & set(changed):
            refit = refit_cohort(session, offering=offering, cohort=cohort, meetings=meetings)
        session.add(cohort)
        if changed:
            runtime.outbox.record(
                session,
                events.CohortUpdated(
                    cohort=cohort_snapshot(offering, cohort, meetings),
                    changed=changed,
                    meetings_added=list(changes.added),
                    meetings_moved=list(changes.moved),
                    meetings_removed=[removed_view[i] for i in changes.removed],
                    # Facilitators added by the refit learn of the cohort by facilitator.assigned.
                    recipients=cohort_recipients(
                        session, cohort.id or 0, except_facilitators=refit.added
                    ),
                ),
            )
    open_cohorts_for_waitlist(session=session, offering=offering, meetings=meetings)


def cancel_offering(session: Session, state: events.Offering, *, reason: str) -> None:
    """Cancel an offering once: cohorts, assignments and registrations all end with it."""
    offering, created = lock_or_create(session, state, Offering.CANCELLED)
    if created or offering.status == Offering.CANCELLED:
        return
    offering.status = Offering.CANCELLED
    session.add(offering)
    meetings = offering_meetings(session, offering.id)
    snapshots: dict[int, events.Cohort] = {}
    for cohort in live_cohorts(session, offering.id):
        snapshot = snapshots[cohort.id or 0] = cohort_snapshot(offering, cohort, meetings)
        recipients = cohort_recipients(session, cohort.id or 0)
        for assignment in active_assignments(session, cohort.id or 0):
            end_assignment(
                session,
                assignment=assignment,
                cohort=snapshot,
                reason="offering_cancelled",
            )
        cohort.status = Cohort.CANCELLED
        session.add(cohort)
        runtime.outbox.record(
            session, events.CohortCancelled(cohort=snapshot, reason=reason, recipients=recipients)
        )
    _cancel_registrations(session, offering, snapshots, detail=_affiliate_words(reason))
    session.flush()


def _affiliate_words(reason: str) -> str:
    """The affiliate's reason for a cancellation, "" for the scheduler's own placeholder."""
    return "" if reason == "offering_cancelled" else reason


def _cancel_registrations(
    session: Session, offering: Offering, snapshots: dict[int, events.Cohort], *, detail: str
) -> None:
    rows: Sequence[tuple[Registration, Educator]] = session.exec(
        select(Registration, Educator)
        .join(Educator, col(Educator.id) == col(Registration.educator_id))
        .where(
            Registration.offering_id == offering.id,
            col(Registration.status).in_((Registration.CONFIRMED, Registration.WAITLISTED)),
        )
        .order_by(col(Registration.id))
    ).all()
    for registration, educator in rows:
        previous = registration.status
        registration.status = Registration.CANCELLED
        registration.cancel_reason = "offering_cancelled"
        session.add(registration)
        held = previous == Registration.CONFIRMED and registration.cohort_id in snapshots
        snapshot = snapshots[registration.cohort_id or 0] if held else None
        event = registration_events.cancelled(
            registration=registration,
            educator=educator,
            previous=previous,
            cohort=snapshot,
            offering=offering,
            detail=detail,
        )
        runtime.outbox.record(session, event)
