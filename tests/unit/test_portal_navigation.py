"""Where the portal sends people back to, and which language it speaks to them."""

from datetime import UTC, datetime, timedelta

import pytest

from services.portal.languages import from_accept_language, pick_language
from services.portal.navigation import safe_next
from services.portal.sessions import BrowserSession


@pytest.mark.parametrize("target", ["/", "/me", "/offerings/12?tab=meetings", "/a/b#c"])
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "me",
        "//evil.example.org/",
        "/\\evil.example.org",
        "/x\\y",
        "https://evil.example.org/",
        "javascript:alert(1)",
        "/\nSet-Cookie: x=1",
        "/" + "a" * 3000,
    ],
)
def test_anything_else_is_dropped(target: str | None) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("es-MX,es;q=0.9,en;q=0.8", "es"),
        ("en-US,en;q=0.9,es;q=0.8", "en"),
        ("fr-CA, es;q=0.5, en;q=0.4", "es"),
        ("de, fr", None),
        ("es;q=0, en", "en"),
        ("es;q=abc, en", "en"),
        ("", None),
    ],
)
def test_accept_language_picks_the_first_language_the_portal_has(
    header: str, expected: str | None
) -> None:
    assert from_accept_language(header) == expected


def test_a_chosen_language_wins_over_the_browser_and_english_is_the_fallback() -> None:
    assert pick_language("es", "en-US") == "es"
    assert pick_language("fr", "es") == "es"
    assert pick_language(None, None) == "en"


def test_an_access_token_is_renewed_a_minute_before_it_expires() -> None:
    now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    session = BrowserSession(access_token="t", expires_at=(now + timedelta(minutes=5)).isoformat())
    assert not session.needs_fresh_token(now)
    assert session.needs_fresh_token(now + timedelta(minutes=4, seconds=30))
    assert BrowserSession().needs_fresh_token(now)
