"""The two rows a registration locks, offering then educator, read as plain facts in one trip.

Only the columns a registration decision and its event need are read, into frozen dataclasses:
no mapped objects are built on the busiest path of the service. A rarer step that needs the
mapped offering (opening a cohort) loads it then, under the lock already held.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, bindparam, select
from sqlmodel import Session

from services.scheduler.models import SchedulerTable

_offering = SchedulerTable.metadata.tables["offering"]
_educator = SchedulerTable.metadata.tables["educator"]


@dataclass(frozen=True)
class OfferingFacts:
    """The offering row as a registration reads it."""

    id: int
    status: str
    title: str
    program_title: str
    sensitive: bool
    timezone: str
    capacity: int
    max_cohorts: int
    registration_closes_at_utc: datetime | None
    updated_at: datetime
    source_updated_at: datetime | None


@dataclass(frozen=True)
class EducatorFacts:
    """The educator row as a registration reads it."""

    id: int
    name: str
    email: str
    timezone: str | None


_OFFERING_COLUMNS = [_offering.c[name] for name in OfferingFacts.__dataclass_fields__]
_EDUCATOR_COLUMNS = [
    _educator.c[name].label(f"educator_{name}") for name in EducatorFacts.__dataclass_fields__
]
_OFFERING_ID = bindparam("offering_id", type_=Integer)
_EDUCATOR_ID = bindparam("educator_id", type_=Integer)

# Offering first, then educator: the service-wide lock order. A waiter re-reads both locked
# rows once it gets them, so the values returned are current.
_LOCK_BOTH = (
    select(*_OFFERING_COLUMNS, *_EDUCATOR_COLUMNS)
    .select_from(_offering.join(_educator, _educator.c.id == _EDUCATOR_ID))
    .where(_offering.c.id == _OFFERING_ID)
    .with_for_update(of=[_offering, _educator], key_share=True)
)
_LOCK_OFFERING = (
    select(*_OFFERING_COLUMNS).where(_offering.c.id == _OFFERING_ID).with_for_update(key_share=True)
)
_SPLIT = len(_OFFERING_COLUMNS)


def lock_parties(
    session: Session, offering_id: int, educator_id: int
) -> tuple[OfferingFacts | None, EducatorFacts | None]:
    """Lock the offering's row, then the educator's, and read both; None where one is missing."""
    params = {"offering_id": offering_id, "educator_id": educator_id}
    connection = session.connection()
    row = connection.execute(_LOCK_BOTH, params).first()
    if row is not None:
        return OfferingFacts(*row[:_SPLIT]), EducatorFacts(*row[_SPLIT:])
    # Someone is missing (a refusal): find out who, still taking the offering's lock first.
    alone = connection.execute(_LOCK_OFFERING, params).first()
    return (OfferingFacts(*alone) if alone is not None else None), None
