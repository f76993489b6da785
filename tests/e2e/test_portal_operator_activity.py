"""The operator's "Who did what" page in a real browser: a program added through the portal is
listed with the operator's name, newest first, with what changed; in Spanish with JavaScript off,
narrowed to one service, on a phone; axe-core finds nothing; nobody but operators sees it."""

import re
import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.actors import World
from tests.e2e.harness import Stack
from tests.e2e.operator_desk import page_for, signed_in_operator
from tests.support.browser import PHONE, axe_violations, chromium, sideways_overflow

pytestmark = pytest.mark.e2e
OPERATOR_NAME = "Olga Ramírez"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def operator(browser: Browser, stack: Stack) -> Any:
    return signed_in_operator(browser, stack)


@pytest.fixture(scope="module")
def added_program(stack: Stack, browser: Browser, operator: Any) -> dict[str, Any]:
    """A program the operator adds, then changes, through the portal's programs page."""
    code = f"lgbtq-inclusive-{secrets.token_hex(3)}"
    page = page_for(browser, operator, "en")
    page.goto(f"{stack.portal}/operator/programs")
    form = page.get_by_role("form", name="Add a program")
    form.get_by_label("Code", exact=True).fill(code)
    form.get_by_label("Title", exact=True).fill("LGBTQ-Inclusive Schools")
    form.get_by_label("PD hours", exact=True).fill("2")
    form.get_by_role("button", name="Add the program").click()
    expect(page.get_by_role("status")).to_have_text("The program is added.")
    programs = httpx.get(f"{stack.registry}/programs", headers=stack.admin, params={"limit": 100})
    (program,) = [p for p in programs.json()["items"] if p["code"] == code]
    changed = httpx.patch(
        f"{stack.registry}/programs/{program['id']}", headers=stack.admin, json={"pd_hours": 3.5}
    )
    assert changed.status_code == 200, changed.text
    page.context.close()
    return dict(program)


def test_the_operators_change_is_listed_with_their_name(
    stack: Stack, browser: Browser, operator: Any, added_program: dict[str, Any]
) -> None:
    page = page_for(browser, operator, "en")
    page.goto(f"{stack.portal}/operator")
    page.get_by_role("link", name="Who did what").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who did what")
    card = page.locator(".card", has_text=f"Program {added_program['id']}").filter(
        has=page.get_by_role("heading", name="Added a program")
    )
    expect(card).to_contain_text(OPERATOR_NAME)
    expect(card).to_contain_text("Programs and offerings (registry)")
    expect(card).to_contain_text(added_program["code"])
    changed = page.locator(".card", has_text=f"Program {added_program['id']}").filter(
        has=page.get_by_role("heading", name="Changed a program")
    )
    expect(changed).to_contain_text("2.0 → 3.5")
    expect(changed).to_contain_text("The setup operator (COHORT_ADMIN_TOKEN)")
    headings = page.locator(".card h2").all_inner_texts()
    assert headings.index("Changed a program") < headings.index("Added a program"), "newest first"
    assert axe_violations(page) == []
    page.context.close()


def test_in_spanish_without_javascript_narrowed_to_one_service_on_a_phone(
    stack: Stack, browser: Browser, operator: Any, added_program: dict[str, Any]
) -> None:
    page = page_for(browser, operator, "es", javascript=False)
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.goto(f"{stack.portal}/operator/activity")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quién hizo qué")
    page.get_by_label("Dónde").select_option(label="Inscripciones y facilitadores (planificador)")
    page.get_by_role("button", name="Mostrar").click()
    expect(page).to_have_url(re.compile(r"service=scheduler"))
    expect(page.locator(".card", has_text=f"Programa {added_program['id']}")).to_have_count(0)
    page.get_by_label("Dónde").select_option(label="Programas y ofertas (registro)")
    page.get_by_role("button", name="Mostrar").click()
    card = page.locator(".card", has_text=f"Programa {added_program['id']}").filter(
        has=page.get_by_role("heading", name="Añadió un programa")
    )
    expect(card).to_contain_text(OPERATOR_NAME)
    narrowed = page.url
    page.context.close()

    # axe-core and the layout check run scripts: the same page again with JavaScript on.
    page = page_for(browser, operator, "es")
    page.set_viewport_size(PHONE)  # type: ignore[arg-type]
    page.goto(narrowed)
    expect(page.get_by_role("heading", name="Añadió un programa").first).to_be_visible()
    assert sideways_overflow(page) == 0
    assert axe_violations(page) == []
    page.context.close()


def test_only_operators_see_who_did_what(stack: Stack) -> None:
    signed_out = httpx.get(f"{stack.portal}/operator/activity")
    assert signed_out.status_code == 303 and "/sign-in" in signed_out.headers["location"]
    world = World.create(stack)
    editor = {"Authorization": f"Bearer {world.affiliate_key}"}
    refused = httpx.get(f"{stack.registry}/audit", headers=editor)
    assert refused.status_code == 403
