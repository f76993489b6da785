"""Signing in on the portal in a real browser, by the mailed link, against the whole stack."""

import uuid
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.harness import Stack
from tests.support.browser import PHONE, chromium, mailed_link, sideways_overflow

pytestmark = pytest.mark.e2e
ENGLISH = {
    "email": "Email address",
    "send": "Email me a sign-in link",
    "sent": "Check your email",
    "continue": "Continue",
    "signed_in": "You are signed in as",
    "refused": "This sign-in link has been used or has expired",
    "sign_in": "Sign in",
}
SPANISH = {
    "email": "Correo electrónico",
    "send": "Enviarme un enlace para iniciar sesión",
    "sent": "Revisa tu correo",
    "continue": "Continuar",
    "signed_in": "Has iniciado sesión como",
    "refused": "Este enlace para iniciar sesión ya se usó o ha caducado",
    "sign_in": "Iniciar sesión",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _context(browser: Browser, language: str = "en", **options: object) -> BrowserContext:
    return browser.new_context(
        locale="es-ES" if language == "es" else "en-US",
        extra_http_headers={"Accept-Language": language},
        **options,  # type: ignore[arg-type]
    )


def _address(tag: str) -> str:
    return f"{tag}.{uuid.uuid4().hex[:8]}@schools.example.org"


def _ask_for_link(page: Page, stack: Stack, email: str, words: dict[str, str]) -> str:
    page.goto(f"{stack.portal}/sign-in")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["sign_in"])
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["sent"])
    return mailed_link(stack.sink, email)


def _sign_in_by_link(page: Page, stack: Stack, words: dict[str, str], tag: str) -> str:
    email = _address(tag)
    link = _ask_for_link(page, stack, email, words)
    assert link.startswith(f"{stack.portal}/sign-in/confirm?code=")
    # A mail scanner opens the link first: that must not use the code up.
    assert httpx.get(link).status_code == 200
    page.goto(link)
    page.get_by_role("button", name=words["continue"]).click()
    page.wait_for_url(f"{stack.portal}/")
    expect(page.get_by_role("main")).to_contain_text(f"{words['signed_in']} {email}")
    return link


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_the_mailed_link_signs_in_once(stack: Stack, browser: Browser, javascript: bool) -> None:
    context = _context(browser, java_script_enabled=javascript)
    page = context.new_page()
    link = _sign_in_by_link(page, stack, ENGLISH, "once")

    again = context.new_page()
    again.goto(link)
    again.get_by_role("button", name="Continue").click()
    expect(again.get_by_role("heading", level=1)).to_have_text(ENGLISH["refused"])
    expect(again.get_by_role("link", name="Ask for a new sign-in link")).to_be_visible()
    context.close()


def test_spanish_from_accept_language_all_the_way_through(stack: Stack, browser: Browser) -> None:
    context = _context(browser, "es")
    page = context.new_page()
    _sign_in_by_link(page, stack, SPANISH, "es")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("button", name="Cerrar sesión")).to_be_visible()
    context.close()


def test_the_language_switch_is_remembered(stack: Stack, browser: Browser) -> None:
    context = _context(browser, "en")
    page = context.new_page()
    page.goto(f"{stack.portal}/sign-in")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
    page.goto(f"{stack.portal}/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    context.close()


def _tab_to(page: Page, selector: str, presses: int = 15) -> None:
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{selector} has no visible focus"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_keyboard_only(stack: Stack, browser: Browser) -> None:
    context = _context(browser)
    page = context.new_page()
    email = _address("keys")
    page.goto(f"{stack.portal}/sign-in")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, "the skip link is not visible when focused"
    _tab_to(page, "#email")
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH["sent"])

    page.goto(mailed_link(stack.sink, email))
    _tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{stack.portal}/")
    expect(page.get_by_role("main")).to_contain_text(f"{ENGLISH['signed_in']} {email}")
    _tab_to(page, "header button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Sign in").first).to_be_visible()
    context.close()


def test_an_invalid_address_is_tied_to_its_field_and_nothing_is_mailed(
    stack: Stack, browser: Browser
) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(f"{stack.portal}/sign-in")
    before = len(stack.sink.messages)
    field = page.get_by_label("Email address")
    field.fill("ana at schools")
    page.get_by_role("button", name=ENGLISH["send"]).click()
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(
        "For example, name@example.org Error: Enter an email address in the form name@example.org."
    )
    assert len(stack.sink.messages) == before
    context.close()


def test_a_phone_never_scrolls_sideways(stack: Stack, browser: Browser) -> None:
    context = _context(browser, viewport=PHONE)
    page = context.new_page()
    long_address = "a.very.long.address.that.keeps.going." + _address("phone")
    page.goto(f"{stack.portal}/sign-in")
    assert sideways_overflow(page) == 0
    page.get_by_label("Email address").fill(long_address)
    page.get_by_role("button", name=ENGLISH["send"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ENGLISH["sent"])
    assert sideways_overflow(page) == 0
    page.goto(mailed_link(stack.sink, long_address))
    assert sideways_overflow(page) == 0
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{stack.portal}/")
    assert sideways_overflow(page) == 0
    context.close()
