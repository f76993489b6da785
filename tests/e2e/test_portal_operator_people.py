"""The operator's programs, pool and people pages in a real browser: adding a program (a wrong
code tied to its field) and listing it only to the signed-in; certifying a facilitator for one
more program (in Spanish, axe-core finding nothing); finding a person by address in any case
and erasing them after a confirmation page that erases nothing when opened (JavaScript off)."""

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
from tests.support.browser import (
    PHONE,
    axe_violations,
    chromium,
    nth_sign_in_link,
    sideways_overflow,
)

pytestmark = pytest.mark.e2e
POOL_PAGE = 50


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def operator(browser: Browser, stack: Stack) -> Any:
    return signed_in_operator(browser, stack)


def _facilitator(stack: Stack, email: str) -> tuple[dict[str, Any], int]:
    """The facilitator with this address, and the page of the pool that lists them."""
    offset = 0
    while True:
        answer = httpx.get(
            f"{stack.scheduler}/facilitators",
            headers=stack.admin,
            params={"limit": POOL_PAGE, "offset": offset},
        ).json()
        for n, person in enumerate(answer["items"]):
            if person["email"] == email:
                return person, (offset + n) // POOL_PAGE + 1
        assert answer["items"], f"{email} is not in the pool"
        offset += POOL_PAGE


def test_certifying_a_facilitator_for_another_program(
    stack: Stack, browser: Browser, operator: Any
) -> None:
    world = World.create(stack)
    code = f"bullying-prevention-{world.tag}"
    program = {
        "code": code,
        "title": "Bullying Prevention",
        "description": "Preventing bullying and harassment in schools.",
        "facilitators_required": 1,
        "max_participants": 25,
        "pd_hours": 2.0,
    }
    assert httpx.post(f"{stack.registry}/programs", headers=stack.admin, json=program).is_success
    person, page_number = _facilitator(stack, world.facilitator_email)

    page = page_for(browser, operator, "es")
    page.goto(f"{stack.portal}/operator/facilitators?page={page_number}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Facilitadores")
    card = page.locator(".card", has_text=world.facilitator_email)
    expect(card).to_contain_text("Aceptada")
    boxes = card.get_by_role("group")
    # Every world's program is called "Implicit Bias": the box is found by its program code.
    expect(boxes.locator(f'input[value="{world.program_code}"]')).to_be_checked()
    assert axe_violations(page) == []
    boxes.locator(f'input[value="{code}"]').check()
    card.get_by_role("button", name=re.compile("^Guardar las certificaciones")).click()
    expect(page.get_by_role("status")).to_have_text("Las certificaciones están guardadas.")
    assert axe_violations(page) == []
    record = httpx.get(f"{stack.scheduler}/facilitators/{person['id']}", headers=stack.admin)
    assert set(record.json()["certifications"]) == {world.program_code, code}
    page.context.close()


def test_finding_and_erasing_a_person_without_javascript(
    stack: Stack, browser: Browser, operator: Any
) -> None:
    world = World.create(stack)
    educator = world.signed_in_educator("Imani Okafor")
    page = page_for(browser, operator, "en", javascript=False)
    page.goto(f"{stack.portal}/operator")
    page.get_by_role("navigation", name="Operations").get_by_role("link", name="People").click()
    page.get_by_label("Email address").fill(educator["email"].upper())
    page.get_by_role("button", name="Find").click()
    card = page.locator(".card", has_text="Imani Okafor")
    expect(card).to_contain_text("Educator")
    card.get_by_role("link", name=re.compile("^Erase this person")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase Imani Okafor")
    listed = httpx.get(
        f"{stack.accounts}/people", headers=stack.admin, params={"email": educator["email"]}
    ).json()
    assert listed["total"] == 1, "opening the confirmation erased nothing"
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("status")).to_contain_text("The person is erased")
    after = httpx.get(
        f"{stack.accounts}/people", headers=stack.admin, params={"email": educator["email"]}
    ).json()
    assert after["total"] == 0, "nobody has the address any more"
    page.context.close()


def test_adding_a_program_and_listing_it_only_to_the_signed_in(
    stack: Stack, browser: Browser, operator: Any
) -> None:
    code = f"racial-justice-{secrets.token_hex(3)}"
    page = page_for(browser, operator, "en")
    page.goto(f"{stack.portal}/operator/programs")
    form = page.get_by_role("form", name="Add a program")
    form.get_by_label("Code", exact=True).fill("Racial Justice!")
    form.get_by_label("Title", exact=True).fill("Racial Justice in Education")
    form.get_by_label("PD hours", exact=True).fill("2.5")
    form.get_by_role("button", name="Add the program").click()
    expect(form.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Title", exact=True)).to_have_value("Racial Justice in Education")
    assert axe_violations(page) == []
    form.get_by_label("Code", exact=True).fill(code)
    form.get_by_role("button", name="Add the program").click()
    expect(page.get_by_role("status")).to_have_text("The program is added.")
    card = page.locator(".card", has_text=code)
    expect(card).to_contain_text("For everyone")
    card.get_by_role("button", name=re.compile("^Show only to people signed in")).click()
    expect(page.get_by_role("status")).to_contain_text("only to people signed in")
    assert axe_violations(page) == []
    public = httpx.get(f"{stack.registry}/programs", params={"limit": 100}).json()["items"]
    assert code not in {program["code"] for program in public}
    made = httpx.get(f"{stack.registry}/programs", headers=stack.admin, params={"limit": 100})
    (program,) = [p for p in made.json()["items"] if p["code"] == code]
    assert program["pd_hours"] == 2.5 and program["listed_publicly"] is False

    card.get_by_role("link", name=re.compile("^Change")).click()
    page.get_by_label("PD hours", exact=True).fill("lots")
    page.get_by_role("button", name="Save the program").click()
    expect(page.get_by_label("PD hours", exact=True)).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    page.get_by_label("PD hours", exact=True).fill("3")
    page.get_by_label("Title", exact=True).fill("Racial Justice in Our Schools")
    discreet = page.get_by_role("checkbox", name=re.compile("^Discreet"))
    expect(discreet).not_to_be_checked()
    discreet.check()
    page.get_by_role("button", name="Save the program").click()
    expect(page.get_by_role("status")).to_contain_text("The program is changed")
    card = page.locator(".card", has_text=code)
    expect(card).to_contain_text("Racial Justice in Our Schools")
    expect(card).to_contain_text("Yes: neutral titles")
    card.get_by_role("link", name=re.compile("^Change")).click()
    expect(page.get_by_role("checkbox", name=re.compile("^Discreet"))).to_be_checked()
    listed = httpx.get(f"{stack.registry}/programs", headers=stack.admin, params={"limit": 100})
    (changed,) = [p for p in listed.json()["items"] if p["code"] == code]
    assert changed["sensitive"] is True
    page.context.close()


def test_registering_an_affiliate_and_inviting_its_administrator(
    stack: Stack, browser: Browser, operator: Any
) -> None:
    tag = secrets.token_hex(3)
    page = page_for(browser, operator, "es")
    page.goto(f"{stack.portal}/operator/affiliates")
    form = page.get_by_role("form", name="Registrar una afiliada")
    form.get_by_label("Nombre", exact=True).fill(f"Nevada State Education Association {tag}")
    form.get_by_label("Estado", exact=True).fill("Nevada")
    form.get_by_label("Zona horaria").select_option("America/Los_Angeles")
    form.get_by_role("button", name="Registrar la afiliada").click()
    expect(form.get_by_label("Estado", exact=True)).to_have_attribute("aria-invalid", "true")
    assert axe_violations(page) == []
    form.get_by_label("Estado", exact=True).fill("nv")
    form.get_by_role("button", name="Registrar la afiliada").click()
    expect(page.get_by_role("status")).to_contain_text("La afiliada está registrada")
    card = page.locator(".card", has_text=f"Nevada State Education Association {tag}")
    expect(card).to_contain_text("NV")
    assert axe_violations(page) == []

    email = f"admin-{tag}@nsea.test"
    invite = card.get_by_role("group", name=re.compile("^Invitar a un administrador"))
    invite.get_by_label("Nombre", exact=True).fill("Rosa Martínez")
    invite.get_by_label("Correo electrónico", exact=True).fill(email)
    card.get_by_role("button", name=re.compile("^Enviar la invitación")).click()
    expect(page.get_by_role("status")).to_have_text("La invitación va en camino.")
    assert nth_sign_in_link(stack.sink, email, 1).startswith(stack.portal)

    page.go_back()
    page.reload()
    card = page.locator(".card", has_text=f"Nevada State Education Association {tag}")
    change = card.get_by_role("group", name=re.compile("^Cambiar"))
    change.get_by_label("Correo electrónico de contacto").fill(f"pd-{tag}@nsea.test")
    card.get_by_role("button", name=re.compile("^Guardar la afiliada")).click()
    expect(page.get_by_role("status")).to_contain_text("La afiliada está cambiada")
    expect(page.locator(".card", has_text=f"pd-{tag}@nsea.test")).to_have_count(1)
    page.context.close()


def test_adding_a_facilitator_who_is_then_invited(
    stack: Stack, browser: Browser, operator: Any
) -> None:
    world = World.create(stack)
    email = f"new-facilitator-{world.tag}@facilitators.test"
    page = page_for(browser, operator, "en", javascript=False)
    page.goto(f"{stack.portal}/operator/facilitators")
    form = page.get_by_role("form", name="Add a facilitator")
    form.get_by_label("Name", exact=True).fill("Kai Nakamura")
    form.get_by_label("Email address", exact=True).fill(email)
    form.get_by_label("Time zone").select_option("America/Chicago")
    form.get_by_label("Home state", exact=True).fill("Illinois")
    form.locator(f'input[value="{world.program_code}"]').check()
    form.get_by_role("button", name="Add the facilitator").click()
    expect(form.get_by_label("Home state", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(form.get_by_label("Email address", exact=True)).to_have_value(email)
    form.get_by_label("Home state", exact=True).fill("il")
    form.get_by_role("button", name="Add the facilitator").click()
    expect(page.get_by_role("status")).to_contain_text("The facilitator is added")
    card = page.locator(".card", has_text=email)
    expect(card).to_contain_text("Not accepted yet")
    assert nth_sign_in_link(stack.sink, email, 1).startswith(stack.portal)
    person, _ = _facilitator(stack, email)
    assert person["home_state"] == "IL" and person["availability"] == []
    page.context.close()


OPERATOR_PAGES = [
    "/operator",
    "/operator/cohorts",
    "/operator/programs",
    "/operator/affiliates",
    "/operator/facilitators",
    "/operator/people?email=nobody%40example.org",
    "/operator/deliveries",
    "/operator/dead-events",
]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_operator_page_passes_axe_and_fits_a_phone_in_spanish(
    stack: Stack, browser: Browser, operator: Any, language: str
) -> None:
    page = page_for(browser, operator, language)
    if language == "es":
        page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    found, wide = {}, {}
    for path in OPERATOR_PAGES:
        answer = page.goto(f"{stack.portal}{path}")
        assert answer is not None and answer.status == 200, path
        assert page.locator("html").get_attribute("lang") == language
        found[path] = axe_violations(page)
        wide[path] = sideways_overflow(page)
    assert {path: v for path, v in found.items() if v} == {}
    assert {path: px for path, px in wide.items() if px} == {}, "nothing scrolls sideways"
    page.context.close()
