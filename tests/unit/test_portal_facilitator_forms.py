"""The facilitator's forms read into what the scheduler takes: attendance marks and the weekly
availability grid, with an error tied to each wrong field."""

from typing import Any

from services.portal.facilitator import marks, weekly

ROSTER: list[dict[str, Any]] = [
    {"registration_id": 11, "status": "unmarked", "minutes": None},
    {"registration_id": 12, "status": "present", "minutes": None},
    {"registration_id": 13, "status": "partial", "minutes": 45},
]


def test_only_changed_marks_are_sent() -> None:
    form = {
        "status-11": "absent",
        "status-12": "present",
        "status-13": "partial",
        "minutes-13": "45",
    }
    marking = marks.read_marks(form, ROSTER, most=120)
    assert marking.errors == {}
    assert marking.marks == [{"registration_id": 11, "status": "absent"}]


def test_part_of_the_time_needs_minutes_within_the_meeting() -> None:
    for minutes in ("", "0", "121", "ten", "-5", "99999999"):
        form = {"status-11": "partial", "minutes-11": minutes}
        marking = marks.read_marks(form, ROSTER, most=120)
        assert marking.marks == []
        assert marking.errors == {"minutes-11": (marks.MINUTES_NEEDED, {"most": 120})}, minutes
        assert marking.sent[11] == {"status": "partial", "minutes": minutes}


def test_changed_minutes_are_sent_and_an_unknown_status_is_ignored() -> None:
    form = {"status-11": "late", "status-13": "partial", "minutes-13": " 60 "}
    marking = marks.read_marks(form, ROSTER, most=120)
    assert marking.errors == {}
    assert marking.marks == [{"registration_id": 13, "status": "partial", "minutes": 60}]


def test_a_participant_not_on_the_roster_is_never_marked() -> None:
    marking = marks.read_marks({"status-99": "present"}, ROSTER, most=120)
    assert marking.marks == []


def test_the_grid_reads_windows_and_skips_empty_rows() -> None:
    form = {"start-0-0": "09:00", "end-0-0": "12:00", "start-0-1": "13:00", "end-0-1": "17:30"}
    grid = weekly.read_grid({**form, "start-6-2": " ", "end-6-2": ""})
    assert grid.errors == {}
    assert grid.windows == [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 0, "start": "13:00", "end": "17:30"},
    ]


def test_each_wrong_cell_gets_its_own_error() -> None:
    grid = weekly.read_grid(
        {
            "start-1-0": "09:00",
            "end-2-0": "10:00",
            "start-3-0": "9am",
            "end-3-0": "10:00",
            "start-4-0": "09:00",
            "end-4-0": "24:00",
            "start-5-0": "15:00",
            "end-5-0": "15:00",
        }
    )
    assert grid.windows == []
    assert grid.errors == {
        "end-1-0": weekly.BOTH_NEEDED,
        "start-2-0": weekly.BOTH_NEEDED,
        "start-3-0": weekly.NOT_A_TIME,
        "end-4-0": weekly.NOT_A_TIME,
        "end-5-0": weekly.END_FIRST,
    }
    assert grid.cells["start-3-0"] == "9am"


def test_the_grid_has_three_rows_a_day_and_more_where_a_day_has_more() -> None:
    assert weekly.grid_of([]).slots == weekly.WINDOWS_A_DAY
    availability: list[dict[str, Any]] = [
        {"weekday": 2, "start": f"{hour:02d}:00", "end": f"{hour:02d}:30"}
        for hour in (18, 8, 12, 15)
    ]
    grid = weekly.grid_of(availability)
    assert grid.slots == 4
    assert [grid.cells[f"start-2-{slot}"] for slot in range(4)] == [
        "08:00",
        "12:00",
        "15:00",
        "18:00",
    ]
    assert weekly.read_grid(grid.cells).windows == sorted(
        availability, key=lambda w: str(w["start"])
    )
    assert weekly.read_grid(grid.cells).slots == 4


def test_the_windows_of_each_day_fill_its_rows_in_order() -> None:
    availability = [
        {"weekday": 2, "start": f"{hour:02d}:00", "end": f"{hour:02d}:30"} for hour in (12, 8, 15)
    ]
    grid = weekly.grid_of([*availability, {"weekday": 0, "start": "07:00", "end": "08:00"}])
    assert grid.cells == {
        "start-0-0": "07:00",
        "end-0-0": "08:00",
        "start-2-0": "08:00",
        "end-2-0": "08:30",
        "start-2-1": "12:00",
        "end-2-1": "12:30",
        "start-2-2": "15:00",
        "end-2-2": "15:30",
    }


def test_a_grid_read_back_gives_the_same_windows() -> None:
    availability = [
        {"weekday": 0, "start": "09:00", "end": "12:00"},
        {"weekday": 4, "start": "00:00", "end": "23:59"},
    ]
    assert weekly.read_grid(weekly.grid_of(availability).cells).windows == availability
