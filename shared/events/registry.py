"""Events the registry emits about offerings; the scheduler consumes them.

The scheduler applies each one inside its consumer's transaction, tolerating duplicates and
out-of-order delivery: a state whose `offering.version` is not above the one it holds is ignored.
Schema 2 added `offering.version`; a schema 1 message (version 0, unknown) is ordered by
`offering.updated_at` as before.
"""

from typing import ClassVar

from shared.events.envelope import Event
from shared.events.parts import Meeting, Offering


class OfferingPublished(Event):
    """An affiliate published an offering; it is open for registration."""

    TYPE: ClassVar[str] = "offering.published"
    VERSION: ClassVar[int] = 2
    offering: Offering


class OfferingUpdated(Event):
    """A published offering changed; `changed` names the fields that did."""

    TYPE: ClassVar[str] = "offering.updated"
    VERSION: ClassVar[int] = 2
    offering: Offering
    changed: list[str]
    previous_meetings: list[Meeting] = []


class OfferingCancelled(Event):
    """An offering was cancelled; every registration and assignment falls with it."""

    TYPE: ClassVar[str] = "offering.cancelled"
    VERSION: ClassVar[int] = 2
    offering: Offering
    reason: str = ""
