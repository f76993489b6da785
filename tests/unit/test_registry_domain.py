"""Pure registry rules: local wall times across DST, meetings, states, links and formats."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.registry import domain
from services.registry.domain import LocalTimeError, MeetingRequest, Span
from shared.columns import as_utc
from shared.errors import InvalidInput
from tests.support.factories import US_ZONES

NEW_YORK = ZoneInfo("America/New_York")
ZONES = [
    *US_ZONES,
    "America/Puerto_Rico",
    "Europe/Berlin",
    "Australia/Lord_Howe",
]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class TestLocalInstant:
    def test_plain_wall_time_is_read_in_its_zone(self) -> None:
        assert domain.local_instant("2027-03-10T09:00", NEW_YORK) == utc(2027, 3, 10, 14, 0)
        assert domain.local_instant("2027-07-10T09:00", NEW_YORK) == utc(2027, 7, 10, 13, 0)

    def test_time_in_the_spring_gap_does_not_exist(self) -> None:
        assert domain.valid_offsets(datetime(2027, 3, 14, 2, 30), NEW_YORK) == []
        with pytest.raises(LocalTimeError, match="does not exist in America/New_York"):
            domain.local_instant("2027-03-14T02:30", NEW_YORK)

    def test_time_in_the_gap_is_refused_even_with_an_offset(self) -> None:
        for text in ("2027-03-14T02:30-05:00", "2027-03-14T02:30-04:00"):
            with pytest.raises(LocalTimeError, match="does not exist"):
                domain.local_instant(text, NEW_YORK)

    def test_edges_of_the_gap_exist(self) -> None:
        assert domain.local_instant("2027-03-14T01:59", NEW_YORK) == utc(2027, 3, 14, 6, 59)
        assert domain.local_instant("2027-03-14T03:00", NEW_YORK) == utc(2027, 3, 14, 7, 0)

    def test_time_in_the_autumn_fold_needs_an_offset(self) -> None:
        offsets = domain.valid_offsets(datetime(2027, 11, 7, 1, 30), NEW_YORK)
        assert offsets == [timedelta(hours=-4), timedelta(hours=-5)]
        with pytest.raises(LocalTimeError, match=r"happens twice.*-04:00 or -05:00"):
            domain.local_instant("2027-11-07T01:30", NEW_YORK)

    def test_fold_with_either_valid_offset_picks_that_instant(self) -> None:
        first = domain.local_instant("2027-11-07T01:30-04:00", NEW_YORK)
        second = domain.local_instant("2027-11-07T01:30-05:00", NEW_YORK)
        assert first == utc(2027, 11, 7, 5, 30)
        assert second == utc(2027, 11, 7, 6, 30)

    def test_fold_with_an_offset_the_zone_never_uses_is_refused(self) -> None:
        with pytest.raises(LocalTimeError, match=r"offset \+00:00 is not valid.*-04:00 or -05:00"):
            domain.local_instant("2027-11-07T01:30+00:00", NEW_YORK)

    def test_unambiguous_time_accepts_only_its_own_offset(self) -> None:
        assert domain.local_instant("2027-03-10T09:00-05:00", NEW_YORK) == utc(2027, 3, 10, 14)
        with pytest.raises(LocalTimeError, match="offset -04:00 is not valid"):
            domain.local_instant("2027-03-10T09:00-04:00", NEW_YORK)

    def test_half_hour_fold_of_lord_howe(self) -> None:
        zone = ZoneInfo("Australia/Lord_Howe")
        wall = datetime(2027, 4, 4, 1, 45)
        assert domain.valid_offsets(wall, zone) == [
            timedelta(hours=11),
            timedelta(hours=10, minutes=30),
        ]
        with pytest.raises(LocalTimeError, match="happens twice"):
            domain.local_instant("2027-04-04T01:45", zone)

    @pytest.mark.parametrize(
        "text", ["", "tomorrow", "2027-03-10", "10/03/2027 09:00", "2027-13-10T09:00", "09:00"]
    )
    def test_text_that_is_not_a_local_date_and_time(self, text: str) -> None:
        with pytest.raises(LocalTimeError, match="not a local date and time"):
            domain.local_instant(text, NEW_YORK)

    def test_read_time_names_the_field(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            domain.read_time("2027-03-14T02:30", NEW_YORK, ("meetings", 2, "starts_at"))
        assert caught.value.detail()[0]["loc"] == ["body", "meetings", 2, "starts_at"]


@settings(max_examples=150, deadline=None)
@given(
    instant=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)),
    zone_name=st.sampled_from(ZONES),
)
def test_every_instant_written_with_its_offset_reads_back_the_same(
    instant: datetime, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    moment = instant.replace(tzinfo=UTC, microsecond=0, second=0)
    local = moment.astimezone(zone)
    assert domain.local_instant(local.isoformat(), zone) == moment


@settings(max_examples=150, deadline=None)
@given(
    wall=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2030, 12, 31)),
    zone_name=st.sampled_from(ZONES),
)
def test_an_accepted_naive_wall_time_shows_the_same_wall_time(
    wall: datetime, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    wall = wall.replace(second=0, microsecond=0)
    try:
        instant = domain.local_instant(wall.isoformat(), zone)
    except LocalTimeError:
        assert len(domain.valid_offsets(wall, zone)) != 1
        return
    assert instant.astimezone(zone).replace(tzinfo=None) == wall


class TestOffsets:
    def test_format_offset(self) -> None:
        assert domain.format_offset(timedelta(hours=-5)) == "-05:00"
        assert domain.format_offset(timedelta(hours=10, minutes=30)) == "+10:30"
        assert domain.format_offset(timedelta(0)) == "+00:00"


def meeting(start: str, end: str, meeting_id: int | None = None) -> MeetingRequest:
    return MeetingRequest(start, end, meeting_id)


def loc(caught: pytest.ExceptionInfo[InvalidInput]) -> list[str | int]:
    return list(caught.value.field)


class TestMeetings:
    def test_spans_in_utc(self) -> None:
        spans = domain.meeting_spans([meeting("2027-03-10T09:00", "2027-03-10T12:00")], NEW_YORK)
        assert spans == [Span(utc(2027, 3, 10, 14), utc(2027, 3, 10, 17))]

    def test_at_least_one_meeting(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            domain.meeting_spans([], NEW_YORK)
        assert loc(caught) == ["meetings"]

    @pytest.mark.parametrize("end", ["2027-03-10T09:00", "2027-03-10T08:00"])
    def test_end_must_follow_start(self, end: str) -> None:
        with pytest.raises(InvalidInput, match="must be after starts_at") as caught:
            domain.meeting_spans([meeting("2027-03-10T09:00", end)], NEW_YORK)
        assert loc(caught) == ["meetings", 0, "ends_at"]

    def test_a_meeting_lasts_at_most_a_day(self) -> None:
        with pytest.raises(InvalidInput, match="24 hours"):
            domain.meeting_spans([meeting("2027-03-10T09:00", "2027-03-11T09:01")], NEW_YORK)

    def test_overlap_names_the_later_meeting(self) -> None:
        items = [
            meeting("2027-03-17T09:00", "2027-03-17T12:00"),
            meeting("2027-03-10T09:00", "2027-03-10T12:00"),
            meeting("2027-03-17T11:00", "2027-03-17T13:00"),
        ]
        with pytest.raises(InvalidInput, match=r"overlaps meetings\[0\]") as caught:
            domain.meeting_spans(items, NEW_YORK)
        assert loc(caught) == ["meetings", 2, "starts_at"]

    def test_back_to_back_meetings_do_not_overlap(self) -> None:
        items = [
            meeting("2027-03-10T09:00", "2027-03-10T12:00"),
            meeting("2027-03-10T12:00", "2027-03-10T15:00"),
        ]
        assert len(domain.meeting_spans(items, NEW_YORK)) == 2

    def test_meetings_either_side_of_the_fold_are_distinct(self) -> None:
        items = [
            meeting("2027-11-07T01:00-04:00", "2027-11-07T01:50-04:00"),
            meeting("2027-11-07T01:10-05:00", "2027-11-07T02:00"),
        ]
        spans = domain.meeting_spans(items, NEW_YORK)
        assert spans[1].starts_at_utc - spans[0].ends_at_utc == timedelta(minutes=20)

    def test_error_in_a_later_meeting_names_its_index(self) -> None:
        items = [
            meeting("2027-03-10T09:00", "2027-03-10T12:00"),
            meeting("2027-03-14T02:15", "2027-03-14T04:00"),
        ]
        with pytest.raises(InvalidInput) as caught:
            domain.meeting_spans(items, NEW_YORK)
        assert loc(caught) == ["meetings", 1, "starts_at"]

    def test_meeting_ids_must_be_this_offerings_and_unique(self) -> None:
        domain.check_meeting_ids([None, 4, 5, None], {4, 5, 6})
        with pytest.raises(InvalidInput, match="not a meeting of this offering") as caught:
            domain.check_meeting_ids([4, 9], {4, 5})
        assert loc(caught) == ["meetings", 1, "id"]
        with pytest.raises(InvalidInput, match="more than once"):
            domain.check_meeting_ids([4, 4], {4, 5})


class TestOffering:
    @pytest.mark.parametrize(
        ("format", "venue", "link", "field"),
        [
            ("in_person", True, False, None),
            ("in_person", False, False, "venue"),
            ("in_person", True, True, "join_url"),
            ("virtual", False, True, None),
            ("virtual", False, False, "join_url"),
            ("virtual", True, True, "venue"),
            ("hybrid", True, True, None),
            ("hybrid", False, True, "venue"),
            ("hybrid", True, False, "join_url"),
        ],
    )
    def test_delivery_rule(self, format: str, venue: bool, link: bool, field: str | None) -> None:
        if field is None:
            domain.check_delivery(format=format, has_venue=venue, has_join_url=link)
            return
        with pytest.raises(InvalidInput) as caught:
            domain.check_delivery(format=format, has_venue=venue, has_join_url=link)
        assert loc(caught) == [field]

    def test_capacity_within_the_program(self) -> None:
        domain.check_capacity(capacity=30, max_participants=30)
        with pytest.raises(InvalidInput, match="max_participants"):
            domain.check_capacity(capacity=31, max_participants=30)

    def test_registration_closes_by_the_first_meeting(self) -> None:
        spans = [Span(utc(2027, 3, 10, 14), utc(2027, 3, 10, 17))]
        domain.check_registration_close(None, spans)
        domain.check_registration_close(utc(2027, 3, 10, 14), spans)
        with pytest.raises(InvalidInput) as caught:
            domain.check_registration_close(utc(2027, 3, 10, 14, 1), spans)
        assert loc(caught) == ["registration_closes_at"]

    def test_changed_fields(self) -> None:
        before = {"title": "A", "capacity": 10, "venue": None}
        after = {"title": "B", "capacity": 10, "venue": {"name": "X"}}
        assert domain.changed_fields(before, after) == {
            "title": {"from": "A", "to": "B"},
            "venue": {"from": None, "to": {"name": "X"}},
        }

    def test_as_utc_treats_naive_as_utc(self) -> None:
        assert as_utc(datetime(2027, 1, 1, 12)) == utc(2027, 1, 1, 12)
        eastern = datetime(2027, 1, 1, 7, tzinfo=NEW_YORK)
        assert as_utc(eastern) == utc(2027, 1, 1, 12)
