"""What every registration event repeats about an offering, built once per offering version.

A registration's event carries the offering's cohort picture (title, place, link, meetings with
local times). Building it means reading the meetings and converting each to local time, the same
work for every educator. Views are kept per process, keyed by the offering row's version: its
`updated_at`, which every change of the projection row or of its meetings sets in the same
transaction (`projection.store_state` runs before `projection.replace_meetings`; a new offering
gets its stamp on insert). Callers hold the offering's row lock, so the row they pass is current
and a view found under its version is exact.
"""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from threading import Lock

from sqlmodel import Session

from services.scheduler.models import Offering
from services.scheduler.registration_parties import OfferingFacts
from services.scheduler.snapshots import cohort_picture, offering_meetings
from shared import events

CAPACITY = 2048

_Key = tuple[int, datetime, datetime | None]


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
        built = _build(session, offering)
        with self._lock:
            self._views[key] = built
            while len(self._views) > self.capacity:
                self._views.popitem(last=False)
        return built

    def clear(self) -> None:
        """Forget every view."""
        with self._lock:
            self._views.clear()


def _build(session: Session, facts: OfferingFacts) -> OfferingView:
    offering = session.get(Offering, facts.id)  # the caller holds its row lock
    assert offering is not None
    meetings = offering_meetings(session, offering.id)
    template = cohort_picture(offering, meetings, cohort_id=0, index=0)
    return OfferingView(cohort_template=template)


VIEWS = OfferingViews()
