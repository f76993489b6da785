"""Cohorts, meetings and recipients as events carry them, so consumers never call back.

A registration's event carries the offering's cohort picture (title, place, link, meetings with
local times). Building it means reading the meetings and converting each to local time, the same
work for every educator, so `VIEWS` keeps it per process, keyed by the offering row's version:
its `updated_at`, which every change of the projection row or of its meetings sets in the same
transaction (`offerings.projection.store_state` runs before `replace_meetings`; a new offering
gets its stamp on insert). Callers hold the offering's row lock, so the row they pass is current
and a view found under its version is exact.
"""

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from threading import Lock
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from services.scheduler.locks import EducatorFacts, OfferingFacts
from services.scheduler.models import (
    Assignment,
    Cohort,
    Educator,
    Facilitator,
    Meeting,
    Offering,
    Registration,
)
from shared import events
from shared.columns import as_utc

CAPACITY = 2048

_Key = tuple[int, datetime, datetime | None]


def meeting_snapshot(meeting: Meeting, timezone: str) -> events.Meeting:
    """A meeting with its local times (with offset) and their UTC twins."""
    zone = ZoneInfo(timezone)
    starts, ends = as_utc(meeting.starts_at_utc), as_utc(meeting.ends_at_utc)
    return events.Meeting(
        id=meeting.id,
        starts_at=starts.astimezone(zone),
        ends_at=ends.astimezone(zone),
        starts_at_utc=starts,
        ends_at_utc=ends,
        timezone=timezone,
    )


def offering_meetings(session: Session, offering_id: int) -> list[Meeting]:
    """An offering's meetings in time order."""
    query = (
        select(Meeting)
        .where(Meeting.offering_id == offering_id)
        .order_by(col(Meeting.starts_at_utc), col(Meeting.id))
    )
    return list(session.exec(query).all())


def cohort_snapshot(
    offering: Offering, cohort: Cohort, meetings: Sequence[Meeting]
) -> events.Cohort:
    """A cohort with title, program, place, link and meetings."""
    return cohort_picture(offering, meetings, cohort_id=cohort.id or 0, index=cohort.index)


def cohort_picture(
    offering: Offering, meetings: Sequence[Meeting], *, cohort_id: int, index: int
) -> events.Cohort:
    """The picture of the offering's cohort number `index` (id `cohort_id`)."""
    return events.Cohort(
        id=cohort_id,
        index=index,
        offering_id=offering.id,
        affiliate_name=offering.affiliate_name,
        program_code=offering.program_code,
        program_title=offering.program_title,
        sensitive=offering.sensitive,
        title=offering.title,
        description=offering.description,
        format=offering.format,
        timezone=offering.timezone,
        venue=events.Venue.model_validate(offering.venue) if offering.venue else None,
        join_url=offering.join_url,
        pd_hours=offering.pd_hours,
        affiliate_contact_email=offering.affiliate_contact_email,
        meetings=[meeting_snapshot(m, offering.timezone) for m in meetings],
    )


def educator_recipient(educator: Educator | EducatorFacts) -> events.Recipient:
    """An educator as a message recipient."""
    return events.Recipient(
        kind="educator",
        id=educator.id or 0,
        name=educator.name,
        email=educator.email,
        timezone=educator.timezone,
        locale=educator.locale,
    )


def facilitator_recipient(facilitator: Facilitator) -> events.Recipient:
    """A facilitator as a message recipient."""
    return events.Recipient(
        kind="facilitator",
        id=facilitator.id or 0,
        name=facilitator.name,
        email=facilitator.email,
        timezone=facilitator.timezone,
        locale=facilitator.locale,
    )


def cohort_recipients(
    session: Session, cohort_id: int, *, except_facilitators: Sequence[int] = ()
) -> list[events.Recipient]:
    """Everyone booked on a cohort: confirmed educators, then active facilitators."""
    educators = session.exec(
        select(Educator)
        .join(Registration, col(Registration.educator_id) == col(Educator.id))
        .where(Registration.cohort_id == cohort_id, Registration.status == Registration.CONFIRMED)
        .order_by(col(Registration.id))
    ).all()
    facilitators = session.exec(
        select(Facilitator)
        .join(Assignment, col(Assignment.facilitator_id) == col(Facilitator.id))
        .where(Assignment.cohort_id == cohort_id, Assignment.status == Assignment.ACTIVE)
        .order_by(col(Assignment.id))
    ).all()
    return [educator_recipient(e) for e in educators] + [
        facilitator_recipient(f) for f in facilitators if f.id not in except_facilitators
    ]


@dataclass(frozen=True)
class OfferingView:
    """An offering's meetings and its cohort picture, as events carry them."""

    cohort_template: events.Cohort

    @property
    def meetings(self) -> list[events.Meeting]:
        """The offering's meetings, in time order, with local times."""
        return self.cohort_template.meetings

    def cohort(self, cohort_id: int, index: int) -> events.Cohort:
        """The picture of one cohort of the offering."""
        return self.cohort_template.model_copy(update={"id": cohort_id, "index": index})


class OfferingViews:
    """A bounded, thread-safe map from offering version to its view."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._views: OrderedDict[_Key, OfferingView] = OrderedDict()
        self._lock = Lock()

    def view(self, session: Session, offering: OfferingFacts) -> OfferingView:
        """The view of this version of the offering (read from the database once)."""
        key = (offering.id, offering.updated_at, offering.source_updated_at)
        with self._lock:
            found = self._views.get(key)
        if found is not None:
            return found
        built = _build_view(session, offering)
        with self._lock:
            self._views[key] = built
            while len(self._views) > self.capacity:
                self._views.popitem(last=False)
        return built

    def clear(self) -> None:
        """Forget every view."""
        with self._lock:
            self._views.clear()


def _build_view(session: Session, facts: OfferingFacts) -> OfferingView:
    offering = session.get(Offering, facts.id)  # the caller holds its row lock
    assert offering is not None
    meetings = offering_meetings(session, offering.id)
    template = cohort_picture(offering, meetings, cohort_id=0, index=0)
    return OfferingView(cohort_template=template)


VIEWS = OfferingViews()
