"""An educator's journey on the portal in a real browser, against the whole stack: find a
training, register (signing in on the way), get the invite, see it in My trainings, cancel."""

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.actors import World, calendars_to, meeting_body, next_weekday_at
from tests.e2e.harness import Stack
from tests.support.browser import chromium, mailed_link

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _methods(stack: Stack, email: str) -> list[str]:
    return [str(calendar["METHOD"]) for calendar in calendars_to(stack.sink.messages, email)]


def _wait_for_calendar(stack: Stack, email: str, method: str) -> None:
    stack.sink.wait_for(
        lambda messages: any(
            str(calendar["METHOD"]) == method for calendar in calendars_to(messages, email)
        ),
        timeout=60,
    )


def _find(page: Page, stack: Stack, world: World, offering: dict[str, Any]) -> None:
    """The catalogue, searched for the world's tag, leads to the offering's page."""
    page.goto(f"{stack.portal}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trainings")
    page.get_by_label("Words in the title or description").fill(world.tag)
    page.get_by_label("Format").select_option("virtual")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="1 training found")).to_be_visible()
    page.get_by_role("link", name=offering["title"], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(offering["title"])
    expect(page.get_by_role("main")).to_contain_text("Online")


def _register_signing_in(page: Page, stack: Stack, email: str, offering_id: int) -> None:
    """Register while signed out: sign in by the mailed link, come back, register."""
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.goto(mailed_link(stack.sink, email))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{stack.portal}/offerings/{offering_id}")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("You're registered.")


def _cancel(page: Page, offering: dict[str, Any]) -> None:
    """My trainings lists the offering; cancelling asks first, then says it is done."""
    page.get_by_role("link", name="My trainings").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My trainings")
    expect(page.get_by_role("link", name=offering["title"], exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Subscribe to my calendar")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Cancel registration")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel registration")
    page.get_by_role("button", name="Cancel registration").click()
    expect(page.get_by_role("status")).to_have_text("Your registration is cancelled.")
    expect(page.get_by_role("link", name=re.compile("^Cancel registration"))).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_find_register_and_cancel_a_training(
    stack: Stack, browser: Browser, javascript: bool
) -> None:
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(next_weekday_at(12, 9))])
    email = f"journey.{uuid.uuid4().hex[:8]}@schools.example.org"
    context = browser.new_context(
        java_script_enabled=javascript, extra_http_headers={"Accept-Language": "en"}
    )
    page = context.new_page()
    _find(page, stack, world, offering)
    _register_signing_in(page, stack, email, offering["id"])
    _wait_for_calendar(stack, email, "REQUEST")
    _cancel(page, offering)
    _wait_for_calendar(stack, email, "CANCEL")
    assert _methods(stack, email) == ["REQUEST", "CANCEL"]
    context.close()


def _sign_in(page: Page, stack: Stack, email: str) -> None:
    page.goto(f"{stack.portal}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.goto(mailed_link(stack.sink, email))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{stack.portal}/")


def test_change_the_profile_to_spanish_then_erase_the_account(
    stack: Stack, browser: Browser
) -> None:
    email = f"profile.{uuid.uuid4().hex[:8]}@schools.example.org"
    context = browser.new_context(
        java_script_enabled=False, extra_http_headers={"Accept-Language": "en"}
    )
    page = context.new_page()
    _sign_in(page, stack, email)
    page.get_by_role("link", name="My profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My profile")
    page.get_by_label("Name").fill("Ana Ruiz")
    page.get_by_role("combobox", name="Time zone").select_option("America/Chicago")
    page.get_by_role("combobox", name="Language").select_option("es")
    page.get_by_role("button", name="Save my profile").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mi perfil")
    expect(page.get_by_role("status")).to_have_text("Tu perfil está guardado.")
    expect(page.get_by_role("banner")).to_contain_text("Sesión iniciada como Ana Ruiz")
    expect(page.get_by_role("combobox", name="Zona horaria")).to_have_value("America/Chicago")
    page.get_by_role("link", name="Borrar mi cuenta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Borrar mi cuenta")
    page.get_by_role("button", name="Borrar mi cuenta").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tu cuenta está borrada")
    expect(page.get_by_role("banner").get_by_role("link", name="Iniciar sesión")).to_be_visible()
    page.goto(f"{stack.portal}/me/profile")
    expect(page.get_by_role("heading", level=1)).to_have_text("Iniciar sesión")
    context.close()
