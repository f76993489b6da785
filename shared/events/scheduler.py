"""Events the scheduler emits about seats and facilitators; the notifier consumes them.

One, `facilitator.changed`, the scheduler sends to its own worker instead.

Each docstring says what the notifier sends for the event, the rule that keeps every person at
exactly one message per change and never sends a duplicate CANCEL.
"""

from typing import ClassVar, Literal

from shared.events.envelope import Event
from shared.events.parts import Cohort, Meeting, Recipient

CancelReason = Literal["by_educator", "by_affiliate", "by_operator", "offering_cancelled"]


class RegistrationConfirmed(Event):
    """An educator holds a seat in a cohort (directly, or promoted from the waitlist).

    Notifier: the educator gets an `invite`, one REQUEST per meeting of `cohort.meetings`
    (`promoted_from_waitlist` only changes the wording).
    """

    TYPE: ClassVar[str] = "registration.confirmed"
    registration_id: int
    educator: Recipient
    cohort: Cohort
    promoted_from_waitlist: bool = False


class RegistrationWaitlisted(Event):
    """An educator joined an offering's waitlist at a position.

    Notifier: the educator gets a `waitlisted` notice, no calendar object. Later shifts of
    waitlist positions send nothing.
    """

    TYPE: ClassVar[str] = "registration.waitlisted"
    registration_id: int
    educator: Recipient
    offering_id: int
    offering_title: str
    program_title: str
    sensitive: bool
    timezone: str
    position: int
    meetings: list[Meeting]
    affiliate_contact_email: str | None = None


class RegistrationCancelled(Event):
    """A registration ended; `cohort` is set when it held a seat (its meetings need CANCELs).

    Notifier, by `reason`:
    - `by_educator` / `by_affiliate` / `by_operator` with `cohort` set (they held a seat): a
      `cancel`, one CANCEL per meeting of `cohort.meetings`;
    - the same reasons with `cohort` null (they were waitlisted): a plain notice, no calendar
      object (no invite was ever sent), naming the training (neutrally for `sensitive`
      programs) and why, with the affiliate's `detail` when it cancelled the offering;
    - `offering_cancelled`: NO calendar object ever. A plain notice if `previous_status` is
      `waitlisted` (no other event reaches them); nothing if it is `confirmed`: that educator is
      a recipient of the same cancellation's `cohort.cancelled`, which carries the CANCELs.
    """

    TYPE: ClassVar[str] = "registration.cancelled"
    registration_id: int
    educator: Recipient
    offering_id: int
    previous_status: Literal["confirmed", "waitlisted"]
    reason: CancelReason
    cohort: Cohort | None = None
    # What a plain notice names (schema 1 events lack them: the notice then stays general).
    offering_title: str = ""
    program_title: str = ""
    sensitive: bool = True
    # The affiliate's words when it cancelled the offering ("" when none were given).
    detail: str = ""
    affiliate_contact_email: str | None = None


class FacilitatorAssigned(Event):
    """A facilitator was booked to lead a cohort.

    Notifier: the facilitator gets a `facilitator_invite`, one REQUEST per meeting of
    `cohort.meetings`.
    """

    TYPE: ClassVar[str] = "facilitator.assigned"
    assignment_id: int
    facilitator: Recipient
    cohort: Cohort
    role: str = "lead"
    explanation: str = ""


class FacilitatorChanged(Event):
    """A facilitator joined the pool, or their availability changed.

    Scheduler (its own worker, after the change commits): cohorts of the facilitator's programs
    still waiting for a facilitator are staffed again, first meeting first. Notifier: not sent.
    """

    TYPE: ClassVar[str] = "facilitator.changed"
    facilitator_id: int


class FacilitatorUnassigned(Event):
    """A facilitator no longer leads a cohort.

    Notifier, by `reason`:
    - `offering_cancelled`: nothing (the facilitator is a recipient of the same cancellation's
      `cohort.cancelled`);
    - `no_longer_fits` (new meeting times break a hard constraint; `detail` says which) or
      `replanned` (a batch re-plan moved the cohort to someone else), `availability_changed`
      (the facilitator's new weekly windows leave out a meeting ahead) or
      `certification_withdrawn` (the operator withdrew the program): a `facilitator_cancel`
      that CANCELs every invite the notifier holds for that facilitator and cohort (its ledger
      knows the UIDs; `cohort.meetings` shows the new times and may lack removed meetings).
    """

    TYPE: ClassVar[str] = "facilitator.unassigned"
    assignment_id: int
    facilitator: Recipient
    cohort: Cohort
    reason: str
    # Why, in words (e.g. which constraint the new meeting times break).
    detail: str = ""


class CohortUpdated(Event):
    """A cohort's meetings, place or link changed; `recipients` are everyone now booked on it.

    `recipients` are the confirmed educators and the facilitators who stay on the cohort.
    Notifier: each recipient gets an `update`: a CANCEL for every meeting in
    `meetings_removed`, a first REQUEST for every meeting in `meetings_added`, and a REQUEST
    with a higher SEQUENCE for every meeting in `meetings_moved` (for every meeting when
    `changed` names anything besides "meetings": title, description, format, timezone, venue,
    join_url). Facilitators assigned or unassigned by the same change are NOT recipients: their
    `facilitator.assigned` / `facilitator.unassigned` already carries the new state.
    """

    TYPE: ClassVar[str] = "cohort.updated"
    cohort: Cohort
    changed: list[str]
    meetings_added: list[int] = []
    meetings_moved: list[int] = []
    meetings_removed: list[Meeting] = []
    recipients: list[Recipient]


class CohortCancelled(Event):
    """A cohort will not meet; `recipients` are everyone who was booked on it.

    Emitted once per cohort when its offering is cancelled, with every confirmed educator and
    active facilitator in `recipients`. Notifier: each recipient gets a `cancel` (educators)
    or `facilitator_cancel` (facilitators), one CANCEL per meeting of `cohort.meetings`. This
    is the only source of CANCELs for an offering cancellation.
    """

    TYPE: ClassVar[str] = "cohort.cancelled"
    cohort: Cohort
    reason: str
    recipients: list[Recipient]
