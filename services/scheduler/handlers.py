"""Which function applies each event the scheduler consumes, and what its own events mean.

Consumed (from the registry), one function per type in `HANDLERS`: `offering.published`,
`offering.updated`, `offering.cancelled`. Each runs inside the consumer's transaction (it never
commits) and tolerates duplicates and out-of-order delivery (see `projection.py`).

Emitted (to the notifier) — the rule that keeps every person at exactly one message per change
and never sends a duplicate CANCEL:

- `registration.confirmed` → the educator gets an `invite`: one REQUEST per meeting of
  `cohort.meetings` (`promoted_from_waitlist` only changes the wording).
- `registration.waitlisted` → the educator gets a `waitlisted` notice, no calendar object.
  Later shifts of waitlist positions send nothing.
- `registration.cancelled`:
  * reason `by_educator` / `by_affiliate` / `by_operator` with `cohort` set (they held a
    seat) → the educator gets a `cancel`: one CANCEL per meeting of `cohort.meetings`;
  * the same reasons with `cohort` null (they were waitlisted) → a plain notice, no calendar
    object (no invite was ever sent);
  * reason `offering_cancelled` → NO calendar object ever. If `previous_status` is
    `waitlisted` send a plain notice (no other event reaches them); if it is `confirmed` send
    nothing: that educator is among the recipients of the `cohort.cancelled` of the same
    cancellation, which carries the CANCELs.
- `facilitator.assigned` → the facilitator gets a `facilitator_invite`: one REQUEST per meeting
  of `cohort.meetings`.
- `facilitator.unassigned`:
  * reason `offering_cancelled` → send nothing (the facilitator is a recipient of the
    `cohort.cancelled` of the same cancellation);
  * reason `no_longer_fits` (new meeting times break a hard constraint; `detail` says which)
    or `replanned` (a batch re-plan moved the cohort to someone else) → a
    `facilitator_cancel`: CANCEL every invite the notifier holds for that facilitator and
    cohort (its ledger knows the UIDs; `cohort.meetings` shows the new times and may lack
    removed meetings).
- `cohort.updated` → each of `recipients` (confirmed educators and the facilitators who stay
  on the cohort) gets an `update`: for every meeting in `meetings_removed`, a CANCEL; for
  every meeting in `meetings_added` a first REQUEST; for every meeting in `meetings_moved`,
  and for every meeting when `changed` names anything besides "meetings" (title, description,
  format, timezone, venue, join_url), a REQUEST with a higher SEQUENCE. Facilitators assigned
  or unassigned by the same change are NOT in `recipients`: their `facilitator.assigned` /
  `facilitator.unassigned` already carries the new state.
- `cohort.cancelled` (emitted once per cohort when its offering is cancelled, with every
  confirmed educator and active facilitator in `recipients`) → each recipient gets a `cancel`
  (educators) or `facilitator_cancel` (facilitators): one CANCEL per meeting of
  `cohort.meetings`. This is the only source of CANCELs for an offering cancellation.
"""

from services.scheduler.service_offerings import (
    apply_offering_cancelled,
    apply_offering_published,
    apply_offering_updated,
)
from shared.consumer import Handler

HANDLERS: dict[str, Handler] = {
    "offering.published": apply_offering_published,  # type: ignore[dict-item]
    "offering.updated": apply_offering_updated,  # type: ignore[dict-item]
    "offering.cancelled": apply_offering_cancelled,  # type: ignore[dict-item]
}
