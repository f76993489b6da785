"""The calendar-form study: which iTIP form of a course's invites every reader gets right.

Each candidate form (tests/interop/itip_forms.py) goes through four steps: the invite, moving
one meeting, cancelling one meeting, cancelling the course. After each step every reader —
icalendar, vobject, ical.js, libical and a real Radicale CalDAV server — must find exactly the
meetings left, at the right instants, in what the recipient holds, and read the instant each
mail of the step names. The verdicts are pinned in VERDICTS (the README's table): a form that
regresses, or a reader that starts reading a form right, fails here until the table is updated.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.test_notifier_interop import libical_python, require
from tests.interop import itip_forms, itip_readers, radicale_store
from tests.interop.itip_forms import FORMS, STEPS, WINDOW, Step

READERS = ("icalendar", "vobject", "ical.js", "libical", "Radicale")
CHOSEN = "b0: invite per meeting (today)"
# form -> reader -> the steps it gets wrong; every other (form, reader, step) is right.
VERDICTS: dict[str, dict[str, set[str]]] = {
    "a: one event, RDATE + overrides": {
        "ical.js": {"invite", "move-one", "cancel-one"},  # drops DTSTART's own meeting
        "libical": {"invite", "move-one", "cancel-one"},  # RDATE;TZID read as UTC
        "Radicale": {"invite", "move-one", "cancel-one"},  # expands no RDATE
    },
    "a2: as a, DTSTART also an RDATE": {
        "libical": {"invite", "move-one", "cancel-one"},
        "Radicale": {"invite", "move-one", "cancel-one"},
    },
    "c: one event, RRULE + EXDATE": {},
    "b: invite per meeting + summary": {},
    "b0: invite per meeting (today)": {},
    "d: one mail, a part per meeting": {},
}
# Mails per course (5 meetings) for: invite, moving one, cancelling one, cancelling the rest.
MAILS = {
    "a: one event, RDATE + overrides": [1, 1, 1, 1],
    "a2: as a, DTSTART also an RDATE": [1, 1, 1, 1],
    "c: one event, RRULE + EXDATE": [1, 1, 1, 1],
    "b: invite per meeting + summary": [6, 1, 1, 4],
    "b0: invite per meeting (today)": [5, 1, 1, 4],
    "d: one mail, a part per meeting": [1, 1, 1, 1],
}


def _write(folder: Path, name: str, texts: list[str]) -> list[str]:
    paths = []
    for number, text in enumerate(texts):
        path = folder / f"{name}-{number}.ics"
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(str(path))
    return paths


def file_readers() -> dict[str, Callable[[list[str]], itip_readers.Reading]]:
    python = libical_python()
    require(python is not None, "libical GObject bindings (gir1.2-ical-3.0, python3-gi) missing")
    require((itip_readers.INTEROP / "node_modules" / "ical.js").is_dir(), "ical.js missing")
    return {
        **itip_readers.PYTHON_READERS,
        "ical.js": itip_readers.icaljs,
        "libical": itip_readers.libical(str(python)),
    }


def _file_verdict(
    reading: itip_readers.Reading, held: list[str], mail: list[str], step: Step
) -> bool:
    instances = sorted(i for p in held for i in reading[p]["instances"])
    named = sorted((n for p in mail for n in reading[p]["named"]), key=str)
    return instances == step.expected and named == sorted(step.named, key=str)


@pytest.fixture(scope="module")
def wrong(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, set[str]]]:
    """form -> reader -> the steps it got wrong, measured now."""
    folder = tmp_path_factory.mktemp("forms")
    readers = file_readers()
    found: dict[str, dict[str, set[str]]] = {form: {} for form in FORMS}
    with radicale_store.running_radicale(folder) as base:
        for index, (form, build) in enumerate(FORMS.items()):
            collection = radicale_store.new_calendar(base, f"form-{index}")
            for number, step in enumerate(build()):
                name = f"{index}-{number}"
                held = _write(folder, f"held-{name}", step.held)
                mail = _write(folder, f"mail-{name}", [p for m in step.mails for p in m])
                for reader, read in readers.items():
                    if not _file_verdict(read(held + mail), held, mail, step):
                        found[form].setdefault(reader, set()).add(STEPS[number])
                radicale_store.put_calendar(collection, step.held)
                if radicale_store.expanded_instances(collection, *WINDOW) != step.expected:
                    found[form].setdefault("Radicale", set()).add(STEPS[number])
    return found


def test_every_reader_reads_each_form_as_the_table_says(wrong: dict) -> None:
    assert wrong == VERDICTS


def test_the_chosen_form_is_read_right_everywhere_at_every_step(wrong: dict) -> None:
    assert wrong[CHOSEN] == {}


@pytest.mark.parametrize("form", list(FORMS))
def test_mails_per_course_are_as_the_table_says(form: str) -> None:
    assert [len(step.mails) for step in FORMS[form]()] == MAILS[form]


def test_the_course_crosses_a_clock_change() -> None:
    offsets = {starts.utcoffset() for starts, _ in itip_forms.COURSE}
    assert len(offsets) == 2 and 3 <= len(itip_forms.COURSE) <= 6
