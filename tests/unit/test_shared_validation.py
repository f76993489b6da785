"""Shared input rules: mail addresses the notifier can send to, zones, states, text, instants."""

from datetime import datetime

import pytest
from pydantic import BaseModel, ValidationError

from services.notifier.rendering.mime import compose_message
from shared import validation
from shared.validation import Email, Id, Instant, Line, Paragraph, Zone

GOOD_EMAILS = [
    "a@b.org",
    "Ana.Ruiz@Example.ORG",
    "o'brien+pd@schools.k12.oh.us",
    "x_y-z@xn--bcher-kva.example",
    "  padded@example.org ",
]
BAD_EMAILS = [
    "",
    "a",
    "a@b",
    "@b.org",
    "a@",
    "a b@c.org",
    "a@x.example\r\nBcc: b@y.example",
    "a@x.example\n",
    "a\x00@x.example",
    "<a@x.example>",
    "Ana <a@x.example>",
    '"a b"@x.example',
    '"a"@x.example',
    "a,b@x.example",
    "a;b@x.example",
    "a@b@x.example",
    "a..b@x.example",
    ".a@x.example",
    "a.@x.example",
    "ä@x.example",
    "a@bücher.example",
    "a@-x.example",
    "a@x-.example",
    "a@x..example",
    "a@1.2.3.4",
    "a@[127.0.0.1]",
    f"{'l' * 65}@x.example",
    f"a@{'d' * 64}.example",
    f"a@{'d.' * 130}example",
]


@pytest.mark.parametrize("address", GOOD_EMAILS)
def test_an_accepted_address_is_one_the_notifier_puts_in_a_to_header(address: str) -> None:
    accepted = validation.mail_address(address)
    assert accepted == address.strip()
    message = compose_message(
        sender="Cohort <no-reply@cohort.localhost>",
        to_name="Ana",
        to_email=accepted,
        subject="s",
        text_body="t",
        html_body="<p>t</p>",
        calendar_text=None,
        method=None,
        message_id_domain="cohort.localhost",
    )
    assert f"<{accepted}>".encode() in message


@pytest.mark.parametrize("address", BAD_EMAILS)
def test_addresses_that_cannot_be_mailed_are_refused(address: str) -> None:
    with pytest.raises(ValueError):
        validation.mail_address(address)


def test_an_address_is_at_most_254_characters() -> None:
    local = "l" * 64
    domain = ".".join(["d" * 61] * 3) + ".org"
    assert len(f"{local}@{domain}") == 254
    validation.mail_address(f"{local}@{domain}")
    with pytest.raises(ValueError, match="254"):
        validation.mail_address(f"{local}@d{domain}")


def test_zone_names_are_exact_iana_region_city_names_or_utc() -> None:
    assert validation.zone_name("America/New_York") == "America/New_York"
    assert validation.zone_name("UTC") == "UTC"
    for bad in ("", "Mars/Base", "america/new_york", "EST-5", "../etc/passwd", "a\x00b"):
        with pytest.raises(ValueError, match="not an IANA time zone"):
            validation.zone_name(bad)
    with pytest.raises(ValueError, match="not an IANA time zone"):
        validation.zone_name("Europe/" + "x" * 300)


def test_legacy_and_host_zone_names_are_refused() -> None:
    for legacy in ("EST", "MST7MDT", "HST", "CET", "localtime", "Factory", "GMT"):
        with pytest.raises(ValueError):
            validation.zone_name(legacy)


def test_states_are_us_codes_upper_cased() -> None:
    assert validation.us_state("oh") == "OH"
    assert validation.us_state("DC") == "DC"
    assert validation.us_state("PR") == "PR"
    for bad in ("XX", "ZZ", "Ohio", "O", ""):
        with pytest.raises(ValueError, match="two-letter US state"):
            validation.us_state(bad)


def test_links_are_absolute_http_that_invites_can_carry() -> None:
    good = "https://meet.example.org/abc?x=1#y"
    assert validation.web_link(good) == good
    for bad in ("meet.example.org", "ftp://x.org", "https://", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="absolute http"):
            validation.web_link(bad)
    for bad in ("https://x.org/a b", "https://x.org/\x00", 'https://x.org/"', "https://x.org/<a>"):
        with pytest.raises(ValueError, match="must not contain"):
            validation.web_link(bad)


class _Text(BaseModel):
    line: Line = ""
    paragraph: Paragraph = ""


@pytest.mark.parametrize(
    "bad", ["a\x00b", "a\nb", "a\rb", "a\tb", "\x1b[31m", "\x85", "\u2028", "\ud800"]
)
def test_a_line_has_no_control_characters_or_line_breaks(bad: str) -> None:
    with pytest.raises(ValidationError, match="control characters"):
        _Text(line=bad)


def test_a_paragraph_keeps_line_breaks_and_tabs_but_no_other_controls() -> None:
    assert _Text(paragraph="one\r\ntwo\tthree\u2028").paragraph == "one\r\ntwo\tthree\u2028"
    for bad in ("a\x00b", "\x07", "\x1b", "\x7f", "\ud800"):
        with pytest.raises(ValidationError, match="control characters"):
            _Text(paragraph=bad)
    assert _Text(line="Zoë · Ohio EA 🎓").line == "Zoë · Ohio EA 🎓"


class _Typed(BaseModel):
    id: Id = 1
    zone: Zone = "UTC"
    email: Email = "a@b.org"
    at: Instant = datetime(2027, 1, 1)


@pytest.mark.parametrize("value", [0, -1, 2**63, 2**64])
def test_ids_are_positive_64_bit_integers(value: int) -> None:
    with pytest.raises(ValidationError):
        _Typed(id=value)
    assert _Typed(id=2**63 - 1).id == 2**63 - 1


def test_ids_beyond_the_integer_columns_name_no_row() -> None:
    assert validation.storable_id(1) and validation.storable_id(2**31 - 1)
    assert not validation.storable_id(2**31) and not validation.storable_id(0)


@pytest.mark.parametrize(
    "text",
    [
        "0001-01-01T00:00+14:00",
        "1999-12-31T23:59:59Z",
        "2101-01-01T00:00Z",
        "9999-12-31T23:59-14:00",
    ],
)
def test_instants_lie_in_the_years_2000_to_2100(text: str) -> None:
    with pytest.raises(ValidationError, match="2000 to 2100"):
        _Typed.model_validate({"at": text})


def test_instants_at_the_edges_are_accepted() -> None:
    assert _Typed.model_validate({"at": "2000-01-01T00:00+14:00"}).at.year == 2000
    assert _Typed.model_validate({"at": "2100-12-31T23:59-14:00"}).at.year == 2100
