"""Reading offerings: who may see which, the filters of a search, the full view of one offering."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.registry.models import (
    Affiliate,
    AuditEntriesPublic,
    AuditEntry,
    AuditEntryPublic,
    Program,
)
from services.registry.models_offering import (
    Meeting,
    MeetingPublic,
    Offering,
    OfferingPublic,
    Venue,
)
from shared import events
from shared.auth import Principal
from shared.columns import as_utc
from shared.errors import NotFound
from shared.validation import storable_id

_Row = TypeVar("_Row", Affiliate, Program)


@dataclass(frozen=True)
class OfferingFilters:
    """What a caller narrows a list of offerings to (None means any)."""

    program: str | None = None
    state: str | None = None
    affiliate_id: int | None = None
    format: str | None = None
    status: str | None = None
    starts_after: datetime | None = None
    starts_before: datetime | None = None
    words: tuple[str, ...] = ()


def search_words(text: str | None) -> tuple[str, ...]:
    """The words of a search (`q`), lower-cased, each at most once."""
    return tuple(dict.fromkeys((text or "").lower().split()))


def like_pattern(word: str) -> str:
    """The LIKE pattern that finds `word` anywhere, literally."""
    # A word is matched literally: %, _ and the escape character lose their LIKE meaning.
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def owns(viewer: Principal | None, offering: Offering) -> bool:
    """Tell whether the viewer is the operator or the affiliate that runs the offering."""
    if viewer is None:
        return False
    if viewer.is_operator:
        return True
    return viewer.member_of(offering.affiliate_id)


def was_published(session: Session, offering: Offering) -> bool:
    """Tell whether an offering is or was published (every publish is in its audit trail)."""
    if offering.status == "published":
        return True
    publish = select(AuditEntry.id).where(
        AuditEntry.offering_id == offering.id, AuditEntry.action == "publish"
    )
    return session.exec(publish.limit(1)).first() is not None


def can_see(session: Session, viewer: Principal | None, offering: Offering) -> bool:
    """A draft, even once cancelled, is seen by its owner and the operator only."""
    return owns(viewer, offering) or was_published(session, offering)


def shown_to(viewer: Principal | None, offering: Offering, view: OfferingPublic) -> OfferingPublic:
    """The view as this viewer may see it: the join link only for the owner and the operator."""
    if owns(viewer, offering) or view.join_url is None:
        return view
    return view.model_copy(update={"join_url": None})


def read_offering(
    *, session: Session, viewer: Principal | None, offering_id: int
) -> OfferingPublic:
    """One offering with its meetings, if the viewer may see it (404 otherwise): the anonymous
    see no offering of a program that is not listed publicly."""
    offering = session.get(Offering, offering_id) if storable_id(offering_id) else None
    if offering is None or not can_see(session, viewer, offering):
        raise NotFound("no such offering")
    if viewer is None and not listed_publicly(session, offering):
        raise NotFound("no such offering")
    return shown_to(viewer, offering, describe_offering(session, offering))


def listed_publicly(session: Session, offering: Offering) -> bool:
    """Tell whether the offering's program is in the anonymous catalogue."""
    program = session.get(Program, offering.program_id)
    return program is not None and program.listed_publicly


def read_audit(
    *, session: Session, viewer: Principal, offering_id: int, limit: int, offset: int
) -> AuditEntriesPublic:
    """The audit trail of an offering, oldest first, for its owner and the operator."""
    offering = session.get(Offering, offering_id) if storable_id(offering_id) else None
    if offering is None or not owns(viewer, offering):
        raise NotFound("no such offering")
    mine = col(AuditEntry.offering_id) == offering_id
    total = session.exec(select(func.count()).select_from(AuditEntry).where(mine)).one()
    page = select(AuditEntry).where(mine).order_by(col(AuditEntry.id)).limit(limit).offset(offset)
    items = [AuditEntryPublic.model_validate(row) for row in session.exec(page)]
    return AuditEntriesPublic(items=items, total=total)


def describe_offering(session: Session, offering: Offering) -> OfferingPublic:
    """The full view of one offering (program, affiliate, meetings with local and UTC times)."""
    return describe_offerings(session, [offering])[0]


def describe_offerings(session: Session, offerings: Sequence[Offering]) -> list[OfferingPublic]:
    """Full views of several offerings, loading their relations in a few queries."""
    if not offerings:
        return []
    ids = [offering.id for offering in offerings]
    affiliates = _by_id(session, Affiliate, {offering.affiliate_id for offering in offerings})
    programs = _by_id(session, Program, {offering.program_id for offering in offerings})
    meetings: dict[int, list[Meeting]] = {}
    query = (
        select(Meeting)
        .where(col(Meeting.offering_id).in_(ids))
        .order_by(col(Meeting.starts_at_utc), col(Meeting.id))
    )
    for meeting in session.exec(query):
        meetings.setdefault(meeting.offering_id, []).append(meeting)
    return [
        _view(
            offering,
            affiliates[offering.affiliate_id],
            programs[offering.program_id],
            meetings.get(offering.id or 0, []),
        )
        for offering in offerings
    ]


def _by_id(session: Session, table: type[_Row], ids: set[int]) -> dict[int, _Row]:
    rows = session.exec(select(table).where(col(table.id).in_(ids)))
    return {row.id: row for row in rows if row.id is not None}


def meeting_view(meeting: Meeting, zone: ZoneInfo) -> MeetingPublic:
    """A meeting's local times with offset and their UTC twins."""
    starts, ends = as_utc(meeting.starts_at_utc), as_utc(meeting.ends_at_utc)
    return MeetingPublic(
        id=meeting.id or 0,
        starts_at=starts.astimezone(zone),
        starts_at_utc=starts,
        ends_at=ends.astimezone(zone),
        ends_at_utc=ends,
        timezone=zone.key,
    )


def _venue(offering: Offering) -> Venue | None:
    if offering.venue_name is None:
        return None
    return Venue(
        name=offering.venue_name,
        address=offering.venue_address or "",
        city=offering.venue_city or "",
        state=offering.venue_state or "",
    )


def _view(
    offering: Offering, affiliate: Affiliate, program: Program, meetings: list[Meeting]
) -> OfferingPublic:
    zone = ZoneInfo(offering.timezone)
    closes = offering.registration_closes_at_utc
    closes_utc = as_utc(closes) if closes is not None else None
    return OfferingPublic.model_validate(
        offering,
        update={
            "affiliate_name": affiliate.name,
            "affiliate_state": affiliate.state,
            "program_code": program.code,
            "program_title": program.title,
            "sensitive": program.sensitive,
            "facilitators_required": program.facilitators_required,
            "pd_hours": program.pd_hours,
            "completion_percent": program.completion_percent,
            "venue": _venue(offering),
            "registration_closes_at": closes_utc.astimezone(zone) if closes_utc else None,
            "registration_closes_at_utc": closes_utc,
            "meetings": [meeting_view(meeting, zone) for meeting in meetings],
            "created_at": as_utc(offering.created_at),
            "updated_at": as_utc(offering.updated_at),
        },
    )


def offering_contract(session: Session, view: OfferingPublic) -> events.Offering:
    """The offering as events carry it, with the affiliate's address replies go to."""
    affiliate = session.get(Affiliate, view.affiliate_id)
    contact = affiliate.contact_email if affiliate is not None else None
    return events.Offering.model_validate(view.model_dump() | {"affiliate_contact_email": contact})


def meeting_contracts(view: OfferingPublic) -> list[events.Meeting]:
    """An offering's meetings as events carry them."""
    return [events.Meeting.model_validate(meeting.model_dump()) for meeting in view.meetings]


PATCHABLE = (
    "title",
    "description",
    "venue",
    "join_url",
    "capacity",
    "max_cohorts",
    "meetings",
    "registration_closes_at",
)


def patchable_state(view: OfferingPublic) -> dict[str, Any]:
    """The fields a PATCH may change, as JSON values (instants in UTC) to compare and audit."""
    data = view.model_dump(mode="json", include=set(PATCHABLE) | {"registration_closes_at_utc"})
    data["registration_closes_at"] = data.pop("registration_closes_at_utc")
    data["meetings"] = [
        {key: meeting[key] for key in ("id", "starts_at_utc", "ends_at_utc")}
        for meeting in data["meetings"]
    ]
    return data
