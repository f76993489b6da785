"""MIME messages: structure, encodings, and headers that user-typed text cannot break."""

import email
import re
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.notifier.rendering.ical import CalendarEvent, build_calendar
from services.notifier.rendering.mime import compose_message, safe_header_value

CHICAGO = ZoneInfo("America/Chicago")
EVENT = CalendarEvent(
    uid="meeting-1-educator-2@c.test",
    sequence=0,
    summary="Formación: Éducation inclusive — 多様性",
    description="",
    starts_at=datetime(2027, 7, 15, 9, tzinfo=CHICAGO),
    ends_at=datetime(2027, 7, 15, 12, tzinfo=CHICAGO),
    timezone="America/Chicago",
    organizer_email="noreply@c.test",
    organizer_name="Cohort",
    attendee_email="zoe@example.org",
    attendee_name="Zoë Ñúñez",
)
TEXT = "Hello Zoë,\n\nYou are registered — 多様性.\n" + "long " * 60 + "\n"
HTML = "<p>Hello Zoë,</p>\n<p>You are registered — 多様性.</p>\n"


def compose(**changes: object) -> bytes:
    """A REQUEST invite message with the given arguments changed."""
    arguments: dict[str, object] = {
        "sender": "Cohort <noreply@c.test>",
        "to_name": "Zoë Ñúñez",
        "to_email": "zoe@example.org",
        "subject": "Registered: Formación — Thu 15 Jul 2027",
        "text_body": TEXT,
        "html_body": HTML,
        "calendar_text": build_calendar("REQUEST", [EVENT]),
        "method": "REQUEST",
        "message_id_domain": "c.test",
    }
    arguments.update(changes)
    return compose_message(**arguments)  # type: ignore[arg-type]


def parse(raw: bytes) -> EmailMessage:
    """Parse as a receiving client would."""
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    assert not message.defects
    return message


def header_names(raw: bytes) -> list[str]:
    """Names of the top-level header fields, as they appear on the wire."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return [line.split(":", 1)[0] for line in head.split("\r\n") if not line[:1].isspace()]


def test_multipart_alternative_with_text_html_and_calendar() -> None:
    calendar = build_calendar("REQUEST", [EVENT])
    message = parse(compose(calendar_text=calendar))
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html", "text/calendar"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert parts[0].get_content().replace("\r\n", "\n") == TEXT
    assert parts[1].get_content().replace("\r\n", "\n") == HTML
    assert parts[2].get_content() == calendar


def test_calendar_part_method_matches_the_calendar_and_keeps_its_bytes() -> None:
    for method in ("REQUEST", "CANCEL"):
        calendar = build_calendar(method, [EVENT])
        part = list(parse(compose(calendar_text=calendar, method=method)).iter_parts())[2]
        assert part.get_param("method") == method
        assert part.get_content_charset() == "utf-8"
        assert part.get_payload(decode=True) == calendar.encode("utf-8")
        assert re.search(rf"^METHOD:{method}\r$", part.get_content(), re.M)


def test_method_must_match_the_calendar() -> None:
    with pytest.raises(ValueError, match="method"):
        compose(calendar_text=build_calendar("CANCEL", [EVENT]), method="REQUEST")
    derived = parse(compose(calendar_text=build_calendar("CANCEL", [EVENT]), method=None))
    assert list(derived.iter_parts())[2].get_param("method") == "CANCEL"


def test_without_calendar_two_parts() -> None:
    message = parse(compose(calendar_text=None, method=None))
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


def test_required_headers() -> None:
    raw = compose()
    message = parse(raw)
    assert message["Message-ID"].startswith("<") and message["Message-ID"].endswith("@c.test>")
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["MIME-Version"] == "1.0"
    assert message["From"].addresses[0].addr_spec == "noreply@c.test"
    assert message["To"].addresses[0].display_name == "Zoë Ñúñez"
    assert message["Subject"] == "Registered: Formación — Thu 15 Jul 2027"
    assert raw.isascii()
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_message_id_and_date_can_be_fixed_for_retries() -> None:
    when = datetime(2027, 6, 1, 12, tzinfo=UTC)
    message = parse(compose(message_id="<invite-7-3@c.test>", date=when))
    assert message["Message-ID"] == "<invite-7-3@c.test>"
    assert parsedate_to_datetime(message["Date"]) == when
    with pytest.raises(ValueError, match="message_id"):
        compose(message_id="<x@c.test>\r\nBcc: a@b")


def test_extra_headers_are_kept_and_cannot_replace_structure() -> None:
    message = parse(
        compose(headers={"X-Cohort-Kind": "invite", "Auto-Submitted": "auto-generated"})
    )
    assert message["X-Cohort-Kind"] == "invite"
    assert message["Auto-Submitted"] == "auto-generated"
    for name in ("Bcc", "Content-Type", "To", "Bad:Name", "Bad Name"):
        with pytest.raises(ValueError, match="headers"):
            compose(headers={name: "x"})


@pytest.mark.parametrize(
    "field",
    ["to_name", "subject"],
)
@pytest.mark.parametrize(
    "attack",
    [
        "Evil\r\nBcc: victim@example.org",
        "Evil\nBcc: victim@example.org",
        "Evil\rBcc: victim@example.org",
        "Evil\u2028Bcc: victim@example.org",
        "Evil\x00\x0bBcc: victim@example.org",
    ],
)
def test_line_breaks_cannot_inject_headers(field: str, attack: str) -> None:
    raw = compose(**{field: attack})
    assert "Bcc" not in header_names(raw)
    message = parse(raw)
    assert message["Bcc"] is None
    assert len(message["To"].addresses) == 1
    assert message["To"].addresses[0].addr_spec == "zoe@example.org"


def test_header_values_can_inject_nothing_either() -> None:
    raw = compose(headers={"X-Cohort-Kind": "invite\r\nBcc: victim@example.org"})
    assert "Bcc" not in header_names(raw)
    assert parse(raw)["X-Cohort-Kind"] == "invite Bcc: victim@example.org"


@pytest.mark.parametrize(
    "name",
    [
        "=?utf-8?q?admin=40bank.example?=",
        '"=?utf-8?b?QWRtaW4gPGFkbWluQGJhbmsuZXhhbXBsZT4=?="',
        "=?iso-8859-1?q?Z=F6e?= <other@example.org>",
    ],
)
def test_encoded_word_lookalikes_are_shown_literally(name: str) -> None:
    raw = compose(to_name=name, subject=f"Registered: {name}")
    message = parse(raw)
    (address,) = message["To"].addresses
    assert address.addr_spec == "zoe@example.org"
    assert str(message["Subject"]) == f"Registered: {name}"
    # RFC 2047 decoding of the field as sent (Python's address parser keeps the space between
    # two adjacent encoded words of a long name, which RFC 2047 says to drop)
    field = re.search(rb"^To: (.*?)\r\n(?! )", raw, re.M | re.S)
    assert field
    decoded = str(make_header(decode_header(field.group(1).decode("ascii"))))
    assert decoded == f"{name} <zoe@example.org>"


def test_display_names_with_specials_are_quoted() -> None:
    message = parse(compose(to_name='Ann "A" O\'Neil, PhD <boss@x.org>'))
    (address,) = message["To"].addresses
    assert address.display_name == 'Ann "A" O\'Neil, PhD <boss@x.org>'
    assert address.addr_spec == "zoe@example.org"


@pytest.mark.parametrize(
    "bad",
    [
        "zoe@example.org\r\nBcc: x@y",
        "a@b>, c@d",
        "no-at-sign",
        "a b@c.org",
        "zoë@example.org",
        "@x",
    ],
)
def test_bad_addresses_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="to_email"):
        compose(to_email=bad)


def test_international_domain_is_sent_as_ascii() -> None:
    message = parse(compose(to_email="zoe@exämple.org"))
    assert message["To"].addresses[0].addr_spec == "zoe@xn--exmple-cua.org"


def test_a_word_too_long_to_fold_is_still_sent_in_short_lines() -> None:
    raw = compose(subject="Registered: " + "x" * 1200)
    assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
    assert parse(raw)["Subject"] == "Registered: " + "x" * 1200


def test_safe_header_value() -> None:
    assert safe_header_value(" a\r\nb\tc\x00d\u2028e\x85f  ") == "a b c d e f"
    assert safe_header_value("Zoë Ñúñez") == "Zoë Ñúñez"


@settings(max_examples=60, deadline=None)
@given(
    name=st.text(st.characters(codec="utf-8"), max_size=80),
    subject=st.text(st.characters(codec="utf-8"), max_size=200),
)
def test_no_text_changes_the_header_set(name: str, subject: str) -> None:
    raw = compose(to_name=name, subject=subject, calendar_text=None, method=None)
    assert set(header_names(raw)) == {
        "Date",
        "From",
        "To",
        "Subject",
        "Message-ID",
        "MIME-Version",
        "Content-Type",
    }
    message = email.message_from_bytes(raw, policy=default)
    (address,) = message["To"].addresses
    assert address.addr_spec == "zoe@example.org"
    assert str(message["Subject"]) == safe_header_value(subject)


@settings(max_examples=60, deadline=None)
@given(subject=st.text(st.characters(codec="utf-8"), min_size=1, max_size=300))
def test_non_ascii_headers_fold_within_78_characters_and_read_back(subject: str) -> None:
    subject = "é " + subject
    raw = compose(subject=subject, calendar_text=None, method=None)
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    field = re.search(r"^Subject: .*?(?=\r\n\S)", head, re.M | re.S)
    assert field is not None
    assert all(len(line) <= 78 for line in field.group().split("\r\n")), field.group()
    words = re.findall(r"=\?utf-8\?b\?[^?]*\?=", field.group())
    assert words and all(len(word) <= 75 for word in words)
    assert str(parse(raw)["Subject"]) == safe_header_value(subject)
