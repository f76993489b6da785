"""Changing offerings: create, change, publish and cancel, each audited and evented atomically."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from services.registry import domain
from services.registry.affiliates import posting_affiliate, program_by_code
from services.registry.catalog import (
    describe_offering,
    meeting_contracts,
    offering_contract,
    owns,
    patchable_state,
)
from services.registry.database import runtime
from services.registry.domain import MeetingRequest, Span
from services.registry.meetings import offering_meetings, plan_meetings, replace_meetings
from services.registry.models import AuditEntry, Program
from services.registry.models_offering import (
    Offering,
    OfferingCreate,
    OfferingPublic,
    OfferingStatusPublic,
    OfferingUpdate,
    Venue,
)
from shared.auth import EDITING, Principal
from shared.columns import as_utc
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.events import OfferingCancelled, OfferingPublished, OfferingUpdated
from shared.validation import storable_id

log = logging.getLogger(__name__)


def create_offering(
    *, session: Session, actor: Principal, offering_in: OfferingCreate
) -> OfferingPublic:
    """Create a draft offering for the calling affiliate."""
    program = program_by_code(session=session, code=offering_in.program_code)
    if program is None:
        raise InvalidInput(("program_code",), "no program has this code")
    zone = ZoneInfo(offering_in.timezone)
    requests = [MeetingRequest(m.starts_at, m.ends_at) for m in offering_in.meetings]
    spans = domain.meeting_spans(requests, zone)
    closes_at = _closing_time(offering_in.registration_closes_at, zone)
    _check_offering(
        program=program,
        format=offering_in.format,
        venue=offering_in.venue,
        join_url=offering_in.join_url,
        capacity=offering_in.capacity,
        spans=spans,
        closes_at=closes_at,
    )
    assert program.id is not None
    fields = offering_in.model_dump(
        exclude={"program_code", "venue", "meetings", "registration_closes_at", "affiliate_id"}
    )
    offering = Offering(
        **fields,
        affiliate_id=posting_affiliate(session, actor, offering_in.affiliate_id),
        program_id=program.id,
        registration_closes_at_utc=closes_at,
        first_starts_at_utc=min(span.starts_at_utc for span in spans),
        last_ends_at_utc=max(span.ends_at_utc for span in spans),
    )
    _set_venue(offering, offering_in.venue)
    session.add(offering)
    session.flush()
    replace_meetings(session, offering, [(None, span) for span in spans], existing=[])
    view = describe_offering(session, offering)
    audit(session, offering, actor, "create", {"offering": view.model_dump(mode="json")})
    session.commit()
    return view


def change_offering(
    *, session: Session, actor: Principal, offering_id: int, changes: OfferingUpdate
) -> OfferingPublic:
    """Apply a partial change; a published offering announces it with `offering.updated`."""
    offering = _lock_owned(session, actor, offering_id)
    if offering.status == "cancelled":
        raise Conflict("a cancelled offering cannot be changed")
    before = describe_offering(session, offering)
    existing = offering_meetings(session, offering)
    planned = plan_meetings(
        changes, existing, ZoneInfo(offering.timezone), published=offering.status == "published"
    )
    target = _changed_state(session, offering, before, changes, [span for _, span in planned])
    _apply(offering, changes, target)
    if "meetings" in changes.model_fields_set:
        replace_meetings(session, offering, planned, existing=existing)
    after = describe_offering(session, offering)
    diff = domain.changed_fields(patchable_state(before), patchable_state(after))
    if diff:
        touch(offering)
        stamps = {"updated_at": offering.updated_at, "version": offering.version}
        after = after.model_copy(update=stamps)
        audit(session, offering, actor, "update", diff)
        if offering.status == "published":
            event = OfferingUpdated(
                offering=offering_contract(session, after),
                changed=list(diff),
                previous_meetings=meeting_contracts(before),
            )
            runtime.outbox.record(session, event)
    session.commit()
    return after


@dataclass(frozen=True)
class _Target:
    """The optional parts of an offering after a change (what `null` may clear)."""

    venue: Venue | None
    join_url: str | None
    closes_at: datetime | None


def _changed_state(
    session: Session,
    offering: Offering,
    before: OfferingPublic,
    changes: OfferingUpdate,
    spans: Sequence[Span],
) -> _Target:
    sent = changes.model_fields_set
    closes_at = before.registration_closes_at_utc
    if "registration_closes_at" in sent:
        zone = ZoneInfo(offering.timezone)
        closes_at = _closing_time(changes.registration_closes_at, zone)
    target = _Target(
        venue=changes.venue if "venue" in sent else before.venue,
        join_url=changes.join_url if "join_url" in sent else before.join_url,
        closes_at=closes_at,
    )
    program = session.get(Program, offering.program_id)
    assert program is not None
    _check_offering(
        program=program,
        format=offering.format,
        venue=target.venue,
        join_url=target.join_url,
        capacity=changes.capacity or offering.capacity,
        spans=spans,
        closes_at=target.closes_at,
    )
    return target


def _apply(offering: Offering, changes: OfferingUpdate, target: _Target) -> None:
    for name in ("title", "capacity", "max_cohorts"):
        if name in changes.model_fields_set:
            setattr(offering, name, getattr(changes, name))
    if "description" in changes.model_fields_set:
        offering.description = changes.description or ""
    offering.join_url = target.join_url
    offering.registration_closes_at_utc = target.closes_at
    _set_venue(offering, target.venue)


def publish_offering(
    *, session: Session, actor: Principal, offering_id: int
) -> OfferingStatusPublic:
    """Open an offering for registration (`offering.published`); publishing again is a no-op."""
    offering = _lock_owned(session, actor, offering_id)
    if offering.status == "cancelled":
        raise Conflict("a cancelled offering cannot be published")
    if offering.status == "draft":
        if as_utc(offering.first_starts_at_utc) <= datetime.now(UTC):
            raise Conflict("the offering's first meeting has already started")
        _set_status(session, offering, actor, "publish", "published", {})
        view = describe_offering(session, offering)
        runtime.outbox.record(session, OfferingPublished(offering=offering_contract(session, view)))
    session.commit()
    return OfferingStatusPublic(id=offering_id, status="published")


def cancel_offering(
    *, session: Session, actor: Principal, offering_id: int, reason: str
) -> OfferingStatusPublic:
    """Cancel an offering; if it was published, `offering.cancelled` tells the scheduler."""
    offering = _lock_owned(session, actor, offering_id)
    if offering.status != "cancelled":
        was_published = offering.status == "published"
        offering.cancel_reason = reason
        _set_status(session, offering, actor, "cancel", "cancelled", {"reason": reason})
        if was_published:
            view = describe_offering(session, offering)
            event = OfferingCancelled(offering=offering_contract(session, view), reason=reason)
            runtime.outbox.record(session, event)
    session.commit()
    return OfferingStatusPublic(id=offering_id, status="cancelled")


def _lock_owned(session: Session, actor: Principal, offering_id: int) -> Offering:
    # FOR UPDATE serializes concurrent changes on PostgreSQL; SQLite already holds its write
    # lock from BEGIN IMMEDIATE and ignores the clause.
    query = (
        select(Offering)
        .where(Offering.id == offering_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    offering = session.exec(query).first() if storable_id(offering_id) else None
    if offering is None or not owns(actor, offering):
        raise NotFound("no such offering")
    if not actor.is_operator and not actor.member_of(offering.affiliate_id, *EDITING):
        raise Forbidden("an affiliate's viewers cannot change its offerings")
    return offering


def _set_status(
    session: Session,
    offering: Offering,
    actor: Principal,
    action: str,
    status: str,
    extra: dict[str, Any],
) -> None:
    change = {"status": {"from": offering.status, "to": status}, **extra}
    offering.status = status
    touch(offering)
    session.add(offering)
    audit(session, offering, actor, action, change)


def touch(offering: Offering) -> None:
    """Give a changed offering its next version (the caller holds the row's lock)."""
    # The caller holds the row's lock (`_lock_owned`), so no concurrent change reads the same
    # version: every change gets its own number, one more than the last.
    offering.version += 1
    offering.updated_at = datetime.now(UTC)


def audit(
    session: Session, offering: Offering, actor: Principal, action: str, changes: dict[str, Any]
) -> None:
    """Record who changed what of an offering."""
    assert offering.id is not None
    entry = AuditEntry(
        offering_id=offering.id,
        actor_role=_acting_role(actor, offering),
        actor_id=actor.person_id,
        actor_name=actor.audit_name,
        action=action,
        changes=changes,
    )
    session.add(entry)
    log.info(
        "offering %s",
        action,
        extra={"offering_id": offering.id, "actor": actor.audit_name, "fields": list(changes)},
    )


def _acting_role(actor: Principal, offering: Offering) -> str:
    return "affiliate" if actor.member_of(offering.affiliate_id) else "operator"


def _set_venue(offering: Offering, venue: Venue | None) -> None:
    offering.venue_name = venue.name if venue else None
    offering.venue_address = venue.address if venue else None
    offering.venue_city = venue.city if venue else None
    offering.venue_state = venue.state if venue else None


def _closing_time(text: str | None, zone: ZoneInfo) -> datetime | None:
    if text is None:
        return None
    return domain.read_time(text, zone, ("registration_closes_at",))


def _check_offering(
    *,
    program: Program,
    format: str,
    venue: Venue | None,
    join_url: str | None,
    capacity: int,
    spans: Sequence[Span],
    closes_at: datetime | None,
) -> None:
    domain.check_delivery(format=format, has_venue=venue is not None, has_join_url=bool(join_url))
    domain.check_capacity(capacity=capacity, max_participants=program.max_participants)
    domain.check_registration_close(closes_at, spans)
