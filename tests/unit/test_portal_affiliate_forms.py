"""The affiliate console's pure rules: the offering form's rows and bodies, the registry's
refusals put next to their fields, the roster workbook, what needs attention."""

import io
from datetime import UTC, datetime

import openpyxl

from services.portal import navigation
from services.portal.affiliate import offering_form, refusals, roster_sheet
from services.portal.affiliate.attention import attention
from services.portal.scheduler import Seats

TYPED = {
    "program_code": "implicit-bias",
    "title": "Spring",
    "format": "hybrid",
    "timezone": "America/New_York",
    "venue_name": "Library",
    "venue_address": "1 Main St",
    "venue_city": "Columbus",
    "venue_state": "oh",
    "join_url": "https://meet.example.org/x",
    "capacity": "20",
    "meeting_0_date": "",
    "meeting_0_start": "",
    "meeting_0_end": "",
    "meeting_1_date": "2027-11-07",
    "meeting_1_start": "01:30-05:00",
    "meeting_1_end": "03:00",
    "meeting_1_id": "12",
}


def test_blank_rows_are_left_out_and_offsets_pass_through() -> None:
    typed = offering_form.read_form(TYPED)
    assert not typed.wrong and typed.sent_rows == [1]
    body = offering_form.creation(typed, affiliate_id=3)
    assert body["meetings"] == [
        {"starts_at": "2027-11-07T01:30-05:00", "ends_at": "2027-11-07T03:00"}
    ]
    assert body["venue"]["state"] == "OH" and body["join_url"] == "https://meet.example.org/x"
    assert offering_form.change(typed)["meetings"][0]["id"] == 12


def test_what_can_be_told_wrong_here_is_tied_to_its_field() -> None:
    typed = offering_form.read_form(TYPED | {"capacity": "many", "meeting_1_start": "2:30pm"})
    assert set(typed.errors) == {"capacity", "meeting_1_start"}
    empty = offering_form.read_form(
        {k: v for k, v in TYPED.items() if not k.startswith("meeting_1")}
    )
    assert "meeting_0_date" in empty.errors


def test_a_registry_refusal_names_the_forms_row_not_the_requests_index() -> None:
    typed = offering_form.read_form(TYPED)
    gap = "2027-11-07T02:30 does not exist in America/New_York (the clocks skip it for dst)"
    refused = refusals.refused(
        typed,
        [
            {"loc": ["body", "meetings", 0, "starts_at"], "msg": gap},
            {"loc": ["body", "venue", "state"], "msg": "not a state"},
            {"loc": ["body", "registration_closes_at"], "msg": "too late"},
        ],
    )
    assert refused.errors["meeting_1_start"][1] == {"zone": "America/New_York"}
    assert refused.errors["venue_state"] == ("%(reason)s", {"reason": "not a state"})
    assert refused.problems == [("%(reason)s", {"reason": "too late"})]


def test_a_fold_refusal_lists_both_offsets() -> None:
    message = (
        "2027-11-07T01:30 happens twice in America/New_York (dst ends); "
        "add its offset: -04:00 or -05:00"
    )
    wording, values = refusals.reason(message)
    assert "happens twice" in wording and values["offsets"] == "-04:00 / -05:00"


def test_an_offering_read_back_keeps_the_offset_of_a_time_that_happens_twice() -> None:
    offering = {
        "title": "Fall back",
        "timezone": "America/New_York",
        "capacity": 10,
        "meetings": [
            {
                "id": 5,
                "starts_at": "2027-11-07T01:30:00-05:00",
                "ends_at": "2027-11-07T03:00:00-05:00",
            },
            {
                "id": 6,
                "starts_at": "2027-03-07T09:00:00-05:00",
                "ends_at": "2027-03-07T12:00:00-05:00",
            },
        ],
    }
    form = offering_form.from_offering(offering)
    assert (form.meetings[0].start, form.meetings[0].end, form.meetings[0].id) == (
        "01:30-05:00",
        "03:00",
        "5",
    )
    copy = offering_form.from_offering(offering, weeks_later=1)
    assert (copy.meetings[1].date, copy.meetings[1].start, copy.meetings[1].id) == (
        "2027-03-14",
        "09:00",
        "",
    )


def test_the_workbook_keeps_every_cell_as_text_and_no_formula_live() -> None:
    roster = {
        "cohorts": [
            {
                "index": 1,
                "status": "open",
                "facilitators": [{"name": "Ana Díaz", "role": "lead"}],
                "members": [
                    {"registration_id": 1, "name": "José Núñez", "email": "j@x.test"},
                    {"registration_id": 2, "name": '=HYPERLINK("x")', "email": "@evil"},
                ],
            }
        ],
        "waitlist": [{"registration_id": 3, "position": 1, "name": "+1", "email": "w@x.test"}],
    }
    sheet = openpyxl.load_workbook(io.BytesIO(roster_sheet.roster_xlsx(roster))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" for cell in cells)
    values = [cell.value for cell in cells]
    assert "José Núñez" in values and '\'=HYPERLINK("x")' in values
    assert "'@evil" in values and "'+1" in values and "1" in values


def test_attention_sorts_drafts_long_waitlists_and_this_weeks_meetings() -> None:
    now = datetime(2027, 3, 1, tzinfo=UTC)
    soon = {
        "starts_at_utc": "2027-03-03T14:00:00+00:00",
        "ends_at_utc": "2027-03-03T17:00:00+00:00",
    }
    later = {
        "starts_at_utc": "2027-04-03T14:00:00+00:00",
        "ends_at_utc": "2027-04-03T17:00:00+00:00",
    }
    offerings = [
        {"id": 1, "status": "draft", "meetings": [soon]},
        {"id": 2, "status": "published", "meetings": [soon, later]},
        {"id": 3, "status": "published", "meetings": [later]},
    ]
    seats = {2: Seats(left=0, waiting=9), 3: Seats(left=0, waiting=1)}
    found = attention(offerings, seats, [], now)
    assert [o["id"] for o in found.drafts] == [1]
    assert [o["id"] for o, _ in found.long_waitlists] == [2]
    assert [(o["id"], m) for o, m in found.this_week] == [(2, soon)]


def test_the_header_links_to_the_console_only_for_affiliate_members() -> None:
    member = {"roles": [{"role": "educator"}, {"role": "affiliate", "affiliate_id": 3}]}
    assert navigation.console_links(member) == [
        {"href": "/affiliate", "label": "Affiliate console"}
    ]
    assert navigation.console_links({"roles": [{"role": "educator"}]}) == []
    assert navigation.console_links(None) == []
