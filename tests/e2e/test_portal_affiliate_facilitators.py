"""An affiliate's admin adds one of the affiliate's own facilitators in a real browser (Spanish,
JavaScript off for the form, axe-core finding nothing with it on): a wrong address is tied to
its field, then the facilitator is listed, invited by mail, and kept to this affiliate."""

import re
import secrets
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.actors import World
from tests.e2e.harness import Stack
from tests.e2e.test_portal_affiliate import _affiliate_id
from tests.support.browser import axe_violations, chromium, mailed_link, nth_sign_in_link

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _admin_page(browser: Browser, stack: Stack, affiliate_id: int, javascript: bool) -> Page:
    email = f"admin.{secrets.token_hex(4)}@affiliates.test"
    member = {"name": "Rosa Peña", "email": email, "member_role": "admin"}
    url = f"{stack.accounts}/affiliates/{affiliate_id}/members"
    assert httpx.post(url, headers=stack.admin, json=member).status_code == 201
    context = browser.new_context(
        java_script_enabled=javascript, extra_http_headers={"Accept-Language": "es"}
    )
    page = context.new_page()
    page.goto(mailed_link(stack.sink, email))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{stack.portal}/")
    return page


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-js"])
def test_an_admin_adds_a_facilitator_of_their_own(
    stack: Stack, browser: Browser, javascript: bool
) -> None:
    world = World.create(stack)
    affiliate_id = _affiliate_id(stack, world)
    page = _admin_page(browser, stack, affiliate_id, javascript)
    page.goto(f"{stack.portal}/affiliate/{affiliate_id}")
    page.get_by_role("link", name="Nuestros facilitadores").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nuestros facilitadores")
    expect(page.get_by_role("main")).to_contain_text("todavía no tiene facilitadores propios")
    found = [axe_violations(page)] if javascript else []

    email = f"own-{world.tag}-{int(javascript)}@facilitators.test"
    form = page.get_by_role("form", name="Añadir un facilitador")
    form.get_by_label("Nombre", exact=True).fill("Tomás Herrera")
    form.get_by_label("Correo electrónico", exact=True).fill("tomas at school")
    form.get_by_label("Zona horaria").select_option("America/Chicago")
    form.get_by_label("Estado de residencia", exact=True).fill("IL")
    form.locator(f'input[value="{world.program_code}"]').check()
    form.get_by_role("button", name="Añadir el facilitador").click()
    address = form.get_by_label("Correo electrónico", exact=True)
    expect(address).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Nombre", exact=True)).to_have_value("Tomás Herrera")
    found += [axe_violations(page)] if javascript else []
    address.fill(email)
    form.get_by_role("button", name="Añadir el facilitador").click()
    expect(page.get_by_role("status")).to_contain_text("El facilitador está añadido")
    card = page.locator(".card", has_text=email)
    expect(card).to_contain_text("Solo las capacitaciones de esta afiliada")
    expect(card).to_contain_text(re.compile("Implicit Bias"))
    found += [axe_violations(page)] if javascript else []
    assert [v for v in found if v] == []
    assert nth_sign_in_link(stack.sink, email, 1).startswith(stack.portal)
    listed = httpx.get(
        f"{stack.scheduler}/facilitators",
        headers=stack.admin,
        params={"affiliate_id": affiliate_id},
    ).json()["items"]
    (person,) = [p for p in listed if p["email"] == email]
    assert person["shared"] is False and person["certifications"] == [world.program_code]
    page.context.close()
