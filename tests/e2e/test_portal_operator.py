"""The operator's pages in a real browser: an invited operator signs in, sees on the dashboard
what needs attention, finds the cohort nobody is certified for and why, re-plans; finds a message
the mail server refused and sends it again once the server takes it; finds an event the scheduler
parked and sends it again; in English and Spanish, with JavaScript on and off."""

import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import MetaData, insert

from shared.db import engine_for
from shared.events import FacilitatorChanged, wrap
from shared.outbox import define_bus_tables
from tests.e2e.actors import World, meeting_body, next_weekday_at
from tests.e2e.harness import Stack
from tests.e2e.operator_desk import page_for, signed_in_operator
from tests.support.browser import (
    PHONE,
    axe_violations,
    chromium,
    nth_sign_in_link,
    sideways_overflow,
    sign_in_links,
)
from tests.support.notifier import addressed_to

pytestmark = pytest.mark.e2e
WORDS = {
    "en": {
        "continue": "Continue",
        "console": "Operations",
        "dashboard": "Operations dashboard",
        "cohorts": "Cohorts without a facilitator",
        "nobody certified": "No facilitator is certified for this program in reach of it.",
        "plan": "Plan the coming weeks again",
        "planned": "The plan staffed",
        "failed": "Mail that failed",
        "log": "Mail log",
        "recipient": "Recipient's email address",
        "show": "Show",
        "again": "Send again",
        "retried": "The message is queued to be sent again.",
        "stuck": "Stuck events",
        "redrive": "Send to the service again",
        "redriven": "The event is sent to its service again.",
    },
    "es": {
        "continue": "Continuar",
        "console": "Operaciones",
        "dashboard": "Panel de operaciones",
        "cohorts": "Grupos sin facilitador",
        "nobody certified": "Ningún facilitador certificado para este programa puede llegar a él.",
        "plan": "Planificar de nuevo las próximas semanas",
        "planned": "El plan asignó facilitadores",
        "failed": "Correo que falló",
        "log": "Registro de correo",
        "recipient": "Correo electrónico del destinatario",
        "show": "Mostrar",
        "again": "Enviar de nuevo",
        "retried": "El mensaje está en la cola para enviarse de nuevo.",
        "stuck": "Eventos detenidos",
        "redrive": "Enviar de nuevo al servicio",
        "redriven": "El evento se envió de nuevo a su servicio.",
    },
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def operator(browser: Browser, stack: Stack) -> Any:
    """A named operator, invited by the bootstrap one, signed in by the invitation's link."""
    return signed_in_operator(browser, stack)


@pytest.fixture(scope="module")
def unstaffed(stack: Stack) -> dict[str, Any]:
    """A published offering of a program nobody is certified for: its cohort waits."""
    world = World.create(stack)
    code = f"racial-justice-{world.tag}"
    program = {
        "code": code,
        "title": "Racial Justice in Education",
        "description": "Leading conversations on race in schools.",
        "facilitators_required": 1,
        "max_participants": 30,
        "pd_hours": 2.0,
    }
    made = httpx.post(f"{stack.registry}/programs", headers=stack.admin, json=program)
    assert made.status_code == 201, made.text
    world = replace(world, program_code=code)
    offering = world.publish_offering([meeting_body(next_weekday_at(10, 9))])
    return {"world": world, "offering": offering}


def _wait_for(check: Any, what: str, stack: Stack, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.2)
    raise AssertionError(f"{what} never happened\n{stack.logs()}")


@pytest.mark.parametrize("language", ["en", "es"])
def test_dashboard_and_cohorts_waiting_for_a_facilitator(
    stack: Stack, browser: Browser, operator: Any, unstaffed: dict[str, Any], language: str
) -> None:
    words = WORDS[language]
    page = page_for(browser, operator, language)
    page.goto(f"{stack.portal}/operator")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["dashboard"])
    expect(page.get_by_role("link", name=words["console"], exact=True)).to_be_visible()
    found = {"dashboard": axe_violations(page)}
    page.locator(".cards").get_by_role("link", name=words["cohorts"]).click()
    card = page.locator(".card", has_text=unstaffed["offering"]["title"])
    expect(card).to_contain_text(words["nobody certified"])
    found["cohorts"] = axe_violations(page)
    if language == "en":
        page.get_by_role("button", name=words["plan"]).click()
        expect(page.get_by_role("status")).to_contain_text(words["planned"])
        found["planned"] = axe_violations(page)
    assert {name: v for name, v in found.items() if v} == {}
    page.context.close()


def _failed_delivery(stack: Stack, email: str) -> Any:
    answer = httpx.get(
        f"{stack.notifier}/deliveries",
        headers=stack.admin,
        params={"recipient": email, "status": "failed"},
    )
    return answer.json()["items"] if answer.status_code == 200 else None


def test_a_refused_message_is_sent_again(
    stack: Stack, browser: Browser, operator: Any, unstaffed: dict[str, Any]
) -> None:
    world, words = unstaffed["world"], WORDS["en"]
    educator = world.educator("Renée O'Brien")
    stack.sink.refuse.add(educator["email"].lower())
    world.register(educator, unstaffed["offering"])
    _wait_for(lambda: _failed_delivery(stack, educator["email"]), "a failed delivery", stack)

    page = page_for(browser, operator, "en")
    page.goto(f"{stack.portal}/operator")
    page.locator(".cards").get_by_role("link", name=words["failed"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["log"])
    page.get_by_label(words["recipient"]).fill(educator["email"])
    page.get_by_role("button", name=words["show"]).click()
    card = page.locator(".card", has_text=educator["email"])
    expect(card).to_contain_text("550")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
    assert sideways_overflow(page) == 0

    stack.sink.refuse.discard(educator["email"].lower())
    card.get_by_role("button", name=re.compile("^" + re.escape(words["again"]))).click()
    expect(page.get_by_role("status")).to_have_text(words["retried"])
    stack.sink.wait_for(lambda messages: len(addressed_to(messages, educator["email"])) == 1)
    assert axe_violations(page) == []
    page.context.close()


def _park_in_scheduler(stack: Stack, facilitator_id: int) -> str:
    """An event the scheduler parked as dead (as after a permanent error): its event id."""
    url = stack.processes["scheduler-api"].env["SCHEDULER_DATABASE_URL"]
    tables = define_bus_tables(MetaData())
    envelope = wrap(FacilitatorChanged(facilitator_id=facilitator_id), producer="scheduler")
    with engine_for(url).begin() as connection:
        connection.execute(
            insert(tables.dead).values(
                event_id=str(envelope.event_id),
                type=envelope.type,
                consumer="scheduler",
                payload=envelope.model_dump_json(),
                error="OperationalError('the database was restarting')",
                attempts=5,
                died_at=datetime.now(UTC) - timedelta(minutes=3),
            )
        )
    return str(envelope.event_id)


def _applied(log: str, event_id: str) -> bool:
    return any(event_id in line and '"applied"' in line for line in log.splitlines())


def _parked(stack: Stack) -> set[str]:
    answer = httpx.get(f"{stack.scheduler}/dead-events", headers=stack.admin)
    return {item["event_id"] for item in answer.json()["items"]}


def test_a_parked_event_is_sent_again_without_javascript(
    stack: Stack, browser: Browser, operator: Any, unstaffed: dict[str, Any]
) -> None:
    words = WORDS["es"]
    world = unstaffed["world"]
    people = httpx.get(
        f"{stack.accounts}/people", headers=stack.admin, params={"email": world.facilitator_email}
    ).json()["items"]
    event_id = _park_in_scheduler(stack, int(people[0]["id"]))
    assert event_id in _parked(stack)

    page = page_for(browser, operator, "es", javascript=False)
    page.goto(f"{stack.portal}/operator")
    page.locator(".cards").get_by_role("link", name=words["stuck"]).click()
    card = page.locator(".card", has_text=event_id)
    expect(card).to_contain_text("facilitator.changed")
    expect(card).to_contain_text("OperationalError")
    card.get_by_role("button", name=re.compile("^" + re.escape(words["redrive"]))).click()
    expect(page.get_by_role("status")).to_have_text(words["redriven"])
    expect(page.locator(".card", has_text=event_id)).to_have_count(0)
    worker = stack.processes["scheduler-worker"]
    _wait_for(lambda: _applied(worker.log(), event_id), "the redriven event applied", stack)
    time.sleep(1)
    assert event_id not in _parked(stack)
    page.context.close()


def test_only_operators_see_the_operators_pages(
    stack: Stack, browser: Browser, unstaffed: dict[str, Any]
) -> None:
    signed_out = httpx.get(f"{stack.portal}/operator/deliveries")
    assert signed_out.status_code == 303 and "/sign-in" in signed_out.headers["location"]
    email = unstaffed["world"].facilitator_email
    page = browser.new_page()
    page.goto(f"{stack.portal}/sign-in?next=/facilitator")
    seen = len(sign_in_links(stack.sink, email))
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Email me a sign-in link").click()
    page.goto(nth_sign_in_link(stack.sink, email, seen + 1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/facilitator")
    expect(page.get_by_role("link", name="Operations", exact=True)).to_have_count(0)
    for path in ("/operator", "/operator/cohorts", "/operator/deliveries", "/operator/dead-events"):
        answer = page.goto(f"{stack.portal}{path}")
        assert answer is not None and answer.status == 404, path
    page.close()
