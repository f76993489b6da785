"""Every portal page, in English and Spanish, on a desktop and a phone: axe-core finds nothing
against WCAG 2.2 AA, and nothing scrolls sideways."""

import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.actors import World, meeting_body, next_weekday_at
from tests.e2e.harness import Stack
from tests.support.browser import PHONE, axe_violations, chromium, mailed_link, sideways_overflow

pytestmark = pytest.mark.e2e
WORDS = {
    "en": {
        "email": "Email address",
        "send": "Email me a sign-in link",
        "continue": "Continue",
        "wait": "Please wait a little",
        "register": "Register",
        "registered": "You're registered.",
        "cancel": "Cancel registration",
        "cancelled": "Your registration is cancelled.",
        "profile": "My profile",
        "save": "Save my profile",
        "name": "Name",
        "erase": "Erase my account",
        "erased": "Your account is erased",
    },
    "es": {
        "email": "Correo electrónico",
        "send": "Enviarme un enlace para iniciar sesión",
        "continue": "Continuar",
        "wait": "Espera un poco, por favor",
        "register": "Inscribirme",
        "registered": "Estás inscrito.",
        "cancel": "Cancelar inscripción",
        "cancelled": "Tu inscripción está cancelada.",
        "profile": "Mi perfil",
        "save": "Guardar mi perfil",
        "name": "Nombre",
        "erase": "Borrar mi cuenta",
        "erased": "Tu cuenta está borrada",
    },
}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def offering(stack: Stack) -> dict[str, Any]:
    """A published offering for the catalogue, offering and My trainings pages to show."""
    world = World.create(stack)
    return world.publish_offering([meeting_body(next_weekday_at(15, 9))])


class Walk:
    """One visitor going through every page, checking each on arrival."""

    def __init__(self, page: Page, stack: Stack, language: str, offering: dict[str, Any]) -> None:
        self.page, self.stack, self.words = page, stack, WORDS[language]
        self.offering = offering
        self.found: dict[str, list[dict[str, Any]]] = {}
        self.overflow: dict[str, int] = {}

    def check(self, name: str) -> None:
        """Run axe and measure sideways scrolling on the page as it is now."""
        self.found[name] = axe_violations(self.page)
        self.overflow[name] = sideways_overflow(self.page)

    def ask(self, email: str) -> None:
        """Submit the sign-in form for `email`."""
        self.page.goto(f"{self.stack.portal}/sign-in")
        self.page.get_by_label(self.words["email"]).fill(email)
        self.page.get_by_role("button", name=self.words["send"]).click()


def _anonymous_pages(walk: Walk, email: str) -> None:
    page, portal = walk.page, walk.stack.portal
    page.goto(f"{portal}/")
    walk.check("home")
    page.goto(f"{portal}/sign-in")
    walk.check("sign-in form")
    walk.ask("not an address")
    expect(page.get_by_label(walk.words["email"])).to_have_attribute("aria-invalid", "true")
    walk.check("sign-in form with an error")
    page.goto(f"{portal}/?state=Ohio&from=tomorrow")
    walk.check("catalogue search with errors")
    page.goto(f"{portal}/offerings/{walk.offering['id']}")
    walk.check("offering, signed out")
    page.goto(f"{portal}/no-such-page")
    walk.check("not found")
    page.goto(f"{portal}/sign-in")
    page.locator("input[name=csrf]").evaluate("(field) => { field.value = 'forged'; }")
    page.get_by_role("button", name=walk.words["send"]).click()
    walk.check("form expired")
    walk.ask(email)
    walk.check("check your email")


def _signing_in(walk: Walk, email: str) -> None:
    page = walk.page
    link = mailed_link(walk.stack.sink, email)
    page.goto(link)
    walk.check("confirm")
    page.get_by_role("button", name=walk.words["continue"]).click()
    page.wait_for_url(f"{walk.stack.portal}/")
    walk.check("home, signed in")
    page.goto(link)
    page.get_by_role("button", name=walk.words["continue"]).click()
    walk.check("link used or expired")
    # The address's limit is three links per 15 minutes: the fourth request is refused.
    for _ in range(3):
        walk.ask(email)
    expect(page.get_by_role("heading", level=1)).to_have_text(walk.words["wait"])
    walk.check("too many requests")


def _educator_pages(walk: Walk, _email: str) -> None:
    page, portal, words = walk.page, walk.stack.portal, walk.words
    page.goto(f"{portal}/?q={walk.offering['title'].rsplit(' ', 1)[1]}")
    walk.check("catalogue with results")
    page.goto(f"{portal}/offerings/{walk.offering['id']}")
    walk.check("offering, signed in")
    page.get_by_role("button", name=words["register"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["registered"])
    walk.check("offering, registered")
    page.goto(f"{portal}/me")
    walk.check("my trainings")
    page.goto(f"{portal}/me/calendar/reset")
    walk.check("reset calendar confirmation")
    page.goto(f"{portal}/me")
    page.get_by_role("link", name=re.compile(f"^{words['cancel']}")).click()
    walk.check("cancel registration confirmation")
    page.get_by_role("button", name=words["cancel"]).click()
    expect(page.get_by_role("status")).to_have_text(words["cancelled"])
    walk.check("my trainings, cancelled")


def _profile_pages(walk: Walk, _email: str) -> None:
    page, words = walk.page, walk.words
    page.get_by_role("link", name=words["profile"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["profile"])
    walk.check("profile")
    page.get_by_label(words["name"]).fill("")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_label(words["name"])).to_have_attribute("aria-invalid", "true")
    walk.check("profile with an error")
    page.get_by_role("link", name=words["erase"]).click()
    walk.check("erase account confirmation")
    page.get_by_role("button", name=words["erase"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["erased"])
    walk.check("account erased")


PARTS: list[Callable[[Walk, str], None]] = [
    _anonymous_pages,
    _signing_in,
    _educator_pages,
    _profile_pages,
]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_passes_axe_and_fits_the_screen(
    stack: Stack,
    browser: Browser,
    offering: dict[str, Any],
    language: str,
    viewport: dict[str, int],
) -> None:
    context = browser.new_context(
        viewport=viewport,  # type: ignore[arg-type]
        extra_http_headers={"Accept-Language": language},
    )
    walk = Walk(context.new_page(), stack, language, offering)
    email = f"axe.{language}.{uuid.uuid4().hex[:8]}@schools.example.org"
    for part in PARTS:
        part(walk, email)
    context.close()
    assert len(walk.found) == 23
    assert {name: v for name, v in walk.found.items() if v} == {}
    assert {name: px for name, px in walk.overflow.items() if px} == {}


def test_the_check_finds_what_is_wrong_on_a_faulty_page(browser: Browser) -> None:
    page = browser.new_page()
    page.set_content("<html><body><input type='text'><img src='x.png'></body></html>")
    found = {violation["id"] for violation in axe_violations(page)}
    assert {"html-has-lang", "label", "image-alt"} <= found
    page.close()
