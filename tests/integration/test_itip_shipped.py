"""The shipped form, end to end: the notifier's own mails for the study's course (invite, move
one meeting, cancel one, cancel the course) are applied to a recipient's calendar as a client
applies iTIP (a REQUEST with a higher SEQUENCE replaces, a CANCEL removes), and every reader of
the study and Radicale must then find exactly the meetings left, at the right instants."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from shared.events import CohortCancelled, CohortUpdated, RegistrationConfirmed
from tests.integration.test_itip_forms import file_readers
from tests.interop import itip_forms, radicale_store
from tests.support.notifier import (
    apply,
    calendar_of,
    cohort,
    forget_deliveries,
    meeting_at,
    new_id,
    person,
)

MAILS = [5, 1, 1, 4]  # as the README's table says for b0


class Mailbox:
    """The recipient's calendar mails read from the ledger, and the calendar they leave."""

    def __init__(self, email: str) -> None:
        self.email, self.seen = email, 0
        self.held: dict[str, tuple[int, str]] = {}  # uid -> (sequence, text)

    def take(self) -> list[tuple[str, str, int]]:
        """Apply the mails that came since the last call; (method, uid, sequence) of each."""
        query = (
            select(delivery.c.id, delivery.c.message)
            .where(delivery.c.recipient == self.email.lower(), delivery.c.id > self.seen)
            .order_by(delivery.c.id)
        )
        with runtime.engine().connect() as connection:
            rows = list(connection.execute(query))
        taken = []
        for row_id, raw in rows:
            self.seen = max(self.seen, row_id)
            method, calendar = calendar_of(message_from_bytes(raw, policy=policy.default))
            if calendar is None:
                continue  # a reminder or notice: no calendar part
            (vevent,) = calendar.walk("VEVENT")
            uid, sequence = str(vevent["UID"]), int(vevent.decoded("SEQUENCE"))
            taken.append((str(method), uid, sequence))
            self._apply(str(method), uid, sequence, calendar.to_ical().decode("utf-8"))
        return taken

    def _apply(self, method: str, uid: str, sequence: int, text: str) -> None:
        if method == "CANCEL":
            self.held.pop(uid, None)
        elif sequence >= self.held.get(uid, (-1, ""))[0]:
            self.held[uid] = (sequence, text)


@pytest.fixture(scope="module", autouse=True)
def schema() -> None:
    runtime.migrate()


@pytest.fixture()
def course() -> Iterator[tuple[Any, Any, list[Any]]]:
    educator = person()
    meetings = [meeting_at(starts, itip_forms.ZONE) for starts, _ in itip_forms.COURSE]
    yield educator, cohort(meetings), meetings
    forget_deliveries(educator.email)


def _steps(educator: Any, booked: Any, meetings: list[Any]) -> list[Any]:
    moved = list(meetings)
    moved[itip_forms.MOVED] = meeting_at(itip_forms.MOVED_TO[0], itip_forms.ZONE).model_copy(
        update={"id": meetings[itip_forms.MOVED].id}
    )
    after_move = booked.model_copy(update={"meetings": list(moved)})
    gone = moved.pop(itip_forms.CANCELLED)
    after_cancel = booked.model_copy(update={"meetings": moved})
    return [
        RegistrationConfirmed(registration_id=new_id(), educator=educator, cohort=booked),
        CohortUpdated(
            cohort=after_move,
            changed=["meetings"],
            meetings_moved=[meetings[itip_forms.MOVED].id],
            recipients=[educator],
        ),
        CohortUpdated(
            cohort=after_cancel,
            changed=["meetings"],
            meetings_removed=[gone],
            recipients=[educator],
        ),
        CohortCancelled(cohort=after_cancel, reason="Too few registrations", recipients=[educator]),
    ]


def test_the_shipped_invites_are_read_right_by_every_reader_at_every_step(
    course: tuple[Any, Any, list[Any]], tmp_path: Path
) -> None:
    educator, booked, meetings = course
    readers, box = file_readers(), Mailbox(educator.email)
    sequences: dict[str, int] = {}
    with radicale_store.running_radicale(tmp_path) as base:
        collection = radicale_store.new_calendar(base, "shipped")
        for number, event in enumerate(_steps(educator, booked, meetings)):
            apply(event)
            taken = box.take()
            assert len(taken) == MAILS[number], taken
            for _method, uid, sequence in taken:  # SEQUENCE only ever rises
                assert sequence > sequences.get(uid, -1) or number == 0
                sequences[uid] = sequence
            want = itip_forms.expected_after(number)
            texts = [text for _, text in box.held.values()]
            paths = []
            for index, text in enumerate(texts):
                path = tmp_path / f"held-{number}-{index}.ics"
                path.write_text(text, encoding="utf-8", newline="")
                paths.append(str(path))
            for name, read in readers.items():
                reading = read(paths)
                got = sorted(i for p in paths for i in reading[p]["instances"])
                assert got == want, (name, itip_forms.STEPS[number])
            radicale_store.put_calendar(collection, texts)
            assert radicale_store.expanded_instances(collection, *itip_forms.WINDOW) == want


def test_a_one_meeting_change_touches_only_that_meetings_event(
    course: tuple[Any, Any, list[Any]],
) -> None:
    educator, booked, meetings = course
    box = Mailbox(educator.email)
    steps = _steps(educator, booked, meetings)
    apply(steps[0])
    uids = {uid for _, uid, _ in box.take()}
    apply(steps[1])
    ((method, moved_uid, sequence),) = box.take()
    assert method == "REQUEST" and sequence == 1 and moved_uid in uids
    apply(steps[2])
    ((method, cancelled_uid, sequence),) = box.take()
    assert method == "CANCEL" and sequence == 1 and cancelled_uid not in (moved_uid,)
    assert {uid for uid, (seq, _) in box.held.items() if seq == 0} == uids - {
        moved_uid,
        cancelled_uid,
    }
