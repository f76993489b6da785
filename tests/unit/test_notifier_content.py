"""Subjects and bodies: wording per kind, times in two zones, escaping, sensitive programs."""

# ruff: noqa: RUF001 - en dashes between times are the expected text

from dataclasses import replace
from datetime import datetime
from typing import get_args
from zoneinfo import ZoneInfo

import pytest

from services.notifier.rendering.content import (
    NEUTRAL_SUMMARY,
    MeetingView,
    MessageContent,
    MessageKind,
    meeting_when,
    neutral_summary,
    render_bodies,
    render_subject,
)

NEW_YORK = ZoneInfo("America/New_York")
TITLE = "Formación: Éducation inclusive — 多様性"


def content(**changes: object) -> MessageContent:
    """An invite to a two-meeting offering in New York, read by someone in Chicago."""
    base = MessageContent(
        kind="invite",
        recipient_name="Zoë Ñúñez",
        recipient_timezone="America/Chicago",
        title=TITLE,
        program_title="Inclusive classrooms",
        sensitive=False,
        meetings=(
            MeetingView(
                datetime(2027, 3, 9, 9, tzinfo=NEW_YORK),
                datetime(2027, 3, 9, 12, tzinfo=NEW_YORK),
                "America/New_York",
            ),
            MeetingView(
                datetime(2027, 3, 16, 9, tzinfo=NEW_YORK),
                datetime(2027, 3, 16, 12, tzinfo=NEW_YORK),
                "America/New_York",
            ),
        ),
        location="Lincoln Hall, 12 Main St",
        join_url="https://meet.example.org/j/1?a=1&b=2",
        affiliate_name="Ohio Education Association",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_neutral_summary_hides_sensitive_titles_only() -> None:
    assert neutral_summary("LGBTQ+ students: support", True) == "Professional development session"
    assert neutral_summary("Literacy", False) == "Literacy"


def test_times_show_in_the_meeting_zone_and_the_recipient_zone() -> None:
    text, html = render_bodies(content())
    line = "Tue 9 Mar 2027, 09:00–12:00 EST (America/New_York) — 08:00–11:00 CST your time"
    assert line in text
    assert line in html
    assert "Tue 16 Mar 2027, 09:00–12:00 EDT (America/New_York) — 08:00–11:00 CDT your time" in text


def test_recipient_time_is_left_out_when_it_reads_the_same() -> None:
    view = content().meetings[0]
    plain = "Tue 9 Mar 2027, 09:00–12:00 EST (America/New_York)"
    assert meeting_when(view, None) == plain
    assert meeting_when(view, "America/New_York") == plain
    assert meeting_when(view, "America/Detroit") == plain
    assert meeting_when(view, "Not/AZone") == plain


def test_recipient_on_another_day_sees_the_date() -> None:
    view = content().meetings[0]
    assert meeting_when(view, "Asia/Tokyo") == (
        "Tue 9 Mar 2027, 09:00–12:00 EST (America/New_York)"
        " — 23:00 JST – Wed 10 Mar 2027, 02:00 JST your time"
    )
    assert meeting_when(view, "Pacific/Kiritimati").startswith(
        "Tue 9 Mar 2027, 09:00–12:00 EST (America/New_York) — Wed 10 Mar 2027, 04:00–07:00"
    )


def test_clock_change_during_a_meeting_names_both_offsets() -> None:
    view = MeetingView(
        datetime(2027, 3, 14, 1, tzinfo=NEW_YORK),
        datetime(2027, 3, 14, 4, tzinfo=NEW_YORK),
        "America/New_York",
    )
    assert meeting_when(view, None) == "Sun 14 Mar 2027, 01:00 EST–04:00 EDT (America/New_York)"


@pytest.mark.parametrize("kind", get_args(MessageKind))
def test_every_kind_renders_subject_text_and_html(kind: str) -> None:
    message = content(kind=kind, waitlist_position=3, reason="Too few registrations")
    subject = render_subject(message)
    text, html = render_bodies(message)
    assert TITLE in subject
    assert "\n" not in subject
    assert text.startswith("Hello Zoë Ñúñez,")
    assert html.startswith("<!DOCTYPE html>")
    assert "Reason: Too few registrations" in text


def test_subjects_read_as_expected() -> None:
    assert render_subject(content()) == f"Registered: {TITLE} — Tue 9 Mar 2027"
    assert render_subject(content(kind="cancel")) == f"Cancelled: {TITLE}"
    assert render_subject(content(kind="reminder")) == (
        f"Reminder: {TITLE} — Tue 9 Mar 2027, 08:00 CST"
    )


def test_waitlist_position_and_changes_are_named() -> None:
    text, _ = render_bodies(content(kind="waitlisted", waitlist_position=4))
    assert "waitlist" in text and "position 4" in text
    text, _ = render_bodies(content(kind="update", changed=("starts_at", "ends_at", "location")))
    assert "changes" in text and ": time, place." in text


def test_cancelled_meetings_are_marked() -> None:
    first, second = content().meetings
    message = content(meetings=(first, replace(second, cancelled=True)))
    text, html = render_bodies(message)
    assert "CDT your time (cancelled)" in text
    assert "<s>Tue 16 Mar 2027" in html


def test_html_escapes_everything_a_user_typed() -> None:
    evil = '<script>alert("x")</script>'
    message = content(title=evil, recipient_name=evil, location=evil, reason=evil)
    text, html = render_bodies(message)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert evil in text  # plain text is not HTML


def test_only_web_links_become_links() -> None:
    _, html = render_bodies(content())
    assert 'href="https://meet.example.org/j/1?a=1&amp;b=2"' in html
    text, html = render_bodies(content(join_url="javascript:alert(1)"))
    assert "javascript:" not in html
    assert "javascript:" not in text


def test_sensitive_topic_stays_out_of_subject_and_bodies() -> None:
    secret_title = "Supporting LGBTQ+ educators — identité"
    secret_program = "Safe schools for queer youth"
    for kind in get_args(MessageKind):
        message = content(
            kind=kind, title=secret_title, program_title=secret_program, sensitive=True
        )
        subject = render_subject(message)
        text, html = render_bodies(message)
        assert NEUTRAL_SUMMARY in subject
        for part in (subject, text, html):
            for secret in ("LGBTQ", "identité", "queer", "Safe schools"):
                assert secret not in part, (kind, secret)
        assert "do not name the session's topic" in text
        assert "Ohio Education Association" in text


def test_program_is_named_for_ordinary_offerings() -> None:
    text, html = render_bodies(content())
    assert "Program: Inclusive classrooms" in text
    assert "Inclusive classrooms" in html


def test_missing_name_still_greets() -> None:
    text, _ = render_bodies(content(recipient_name="  "))
    assert text.startswith("Hello there,")


def test_unknown_meeting_zone_is_an_error() -> None:
    view = replace(content().meetings[0], timezone="Mars/Olympus")
    with pytest.raises(ValueError, match="timezone"):
        meeting_when(view, None)


def test_every_message_leads_back_to_the_portal() -> None:
    from shared.settings import get_settings

    portal = get_settings().cohort_portal_url.rstrip("/")
    text, html = render_bodies(content(offering_id=77))
    assert f"About this training: {portal}/offerings/77" in text
    assert f"My trainings: {portal}/me" in text
    assert f'<a href="{portal}/offerings/77">' in html and f'<a href="{portal}/me">' in html
    leading, _ = render_bodies(content(kind="facilitator_invite", offering_id=77))
    assert f"Your schedule: {portal}/facilitator" in leading
    notice, _ = render_bodies(content(kind="notice", offering_id=None))
    assert "About this training" not in notice and f"{portal}/me" in notice
