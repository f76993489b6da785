"""The facilitator's pages in a real browser: a booked facilitator signs in, sees this week's
meeting, takes attendance (a wrong minute count is tied to its field), opens the check-in code
that educators then use, is told attendance cannot be final yet, and narrowing their weekly
availability hands the training to another certified facilitator (both are mailed); in English
and Spanish, with JavaScript on and off."""

import re
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.actors import ZONE, World, add_facilitator, bearer, calendars_to, meeting_body
from tests.e2e.facilitator_words import WORDS
from tests.e2e.harness import Stack
from tests.support.browser import (
    PHONE,
    axe_violations,
    chromium,
    nth_sign_in_link,
    sideways_overflow,
    sign_in_links,
)

pytestmark = pytest.mark.e2e
RUNS = [("en", True), ("es", True), ("es", False)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


def _staffed(stack: Stack, world: World, offering_id: int) -> dict[str, Any]:
    """The offering's first cohort once the planner has booked the world's facilitator on it."""
    url = f"{stack.scheduler}/offerings/{offering_id}/roster"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        cohorts = httpx.get(url, headers=bearer(world.affiliate_key)).json()["cohorts"]
        if cohorts and cohorts[0]["facilitators"]:
            return dict(cohorts[0])
        time.sleep(0.2)
    raise AssertionError("the facilitator was never booked\n" + stack.logs())


@pytest.fixture(scope="module")
def led(stack: Stack) -> dict[str, Any]:
    """A training meeting in 20 minutes and a week later, led by the world's facilitator, with
    one educator registered."""
    world = World.create(stack)
    soon = datetime.now(ZoneInfo(ZONE)).replace(tzinfo=None, second=0, microsecond=0)
    soon += timedelta(minutes=20)
    offering = world.publish_offering(
        [meeting_body(soon, hours=1), meeting_body(soon + timedelta(days=7), hours=1)]
    )
    educator = world.educator("Berta Quiñones")
    registration = world.register(educator, offering)
    cohort = _staffed(stack, world, offering["id"])
    return {
        "world": world,
        "offering": offering,
        "meeting_id": offering["meetings"][0]["id"],
        "weekday": soon.weekday(),
        "educator": educator,
        "registration_id": registration["id"],
        "cohort": cohort,
    }


def _sign_in(browser: Browser, stack: Stack, email: str) -> Any:
    """Sign in by the mailed link, as the person would; the browser's state, to reuse."""
    context = browser.new_context()
    page = context.new_page()
    words = WORDS["en"]
    page.goto(f"{stack.portal}/sign-in?next=/facilitator")
    seen = len(sign_in_links(stack.sink, email))
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()
    page.goto(nth_sign_in_link(stack.sink, email, seen + 1))
    page.get_by_role("button", name=words["continue"]).click()
    page.wait_for_url("**/facilitator")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="module")
def signed_in(browser: Browser, stack: Stack, led: dict[str, Any]) -> Any:
    """The led training's facilitator signed in once (sign-in links are limited per address)."""
    return _sign_in(browser, stack, led["world"].facilitator_email)


def _page(browser: Browser, state: Any, language: str, js: bool) -> Page:
    # Spanish runs at a phone's width: the room is where these pages are used.
    size = PHONE if language == "es" else {"width": 1280, "height": 900}
    context: BrowserContext = browser.new_context(
        storage_state=state,
        java_script_enabled=js,
        extra_http_headers={"Accept-Language": language},
        viewport={"width": size["width"], "height": size["height"]},
    )
    return context.new_page()


def _mark(stack: Stack, led: dict[str, Any]) -> dict[str, Any]:
    url = f"{stack.scheduler}/meetings/{led['meeting_id']}/attendance"
    items = httpx.get(url, headers=bearer(led["world"].affiliate_key)).json()["items"]
    (item,) = [i for i in items if i["registration_id"] == led["registration_id"]]
    return dict(item)


def _take_attendance(page: Page, stack: Stack, led: dict[str, Any], language: str, js: bool) -> Any:
    """Mark the educator part of the time: first without minutes (refused), then with them."""
    words = WORDS[language]
    found: dict[str, Any] = {}
    page.get_by_role("link", name=re.compile("^" + re.escape(words["take"]))).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["attendance"])
    if js:
        found["attendance"] = axe_violations(page)
    person = page.get_by_role("group", name="Berta Quiñones")
    person.get_by_role("radio", name=words["partial"], exact=True).check()
    person.get_by_role("spinbutton", name=words["minutes"]).fill("")
    page.get_by_role("button", name=words["save"]).click()
    expect(person.get_by_role("spinbutton", name=words["minutes"])).to_have_attribute(
        "aria-invalid", "true"
    )
    if js:
        found["wrong minutes"] = axe_violations(page)
    minutes = 10 + uuid.uuid4().int % 40
    person.get_by_role("spinbutton", name=words["minutes"]).fill(str(minutes))
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("status")).to_have_text(words["saved"])
    mark = _mark(stack, led)
    assert (mark["status"], mark["minutes"]) == ("partial", minutes)
    return found


def _open_check_in_code(page: Page, stack: Stack, words: dict[str, str]) -> tuple[str, str]:
    """Open a code for this week's meeting: the code shown before (if any) and the new one."""
    page.goto(f"{stack.portal}/facilitator")
    page.get_by_role("link", name=re.compile("^" + re.escape(words["check-in"]))).first.click()
    shown = page.locator(".check-in-code")
    before = shown.inner_text() if shown.count() else ""
    if before:
        page.get_by_role("button", name=words["open new"]).click()
    else:
        expect(page.get_by_role("main")).to_contain_text(words["none open"])
        page.get_by_role("button", name=words["open"]).click()
    image = page.get_by_role("img", name=re.compile(re.escape(words["qr"])))
    expect(image).to_be_visible()
    code = shown.inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code) and code != before, (before, code)
    assert httpx.get(str(image.get_attribute("src"))).status_code == 200
    return before, code


def _check_in(stack: Stack, led: dict[str, Any], code: str) -> int:
    answer = httpx.post(
        f"{stack.scheduler}/check-ins",
        headers=bearer(led["educator"]["token"]),
        json={"code": code},
    )
    return answer.status_code


@pytest.mark.parametrize(("language", "javascript"), RUNS, ids=["en-js", "es-js", "es-no-js"])
def test_schedule_attendance_and_check_in(
    stack: Stack,
    browser: Browser,
    led: dict[str, Any],
    signed_in: Any,
    language: str,
    javascript: bool,
) -> None:
    words = WORDS[language]
    page = _page(browser, signed_in, language, javascript)
    page.goto(f"{stack.portal}/facilitator")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["schedule"])
    expect(page.get_by_role("link", name=words["console"])).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(led["offering"]["title"])
    found: dict[str, Any] = {"schedule": axe_violations(page)} if javascript else {}

    from_attendance = _take_attendance(page, stack, led, language, javascript)
    before, code = _open_check_in_code(page, stack, words)
    assert _check_in(stack, led, code) == 200
    if before:
        assert _check_in(stack, led, before) == 409
    if javascript:
        found.update(from_attendance, **{"check-in": axe_violations(page)})

    page.goto(f"{stack.portal}/facilitator/offerings/{led['offering']['id']}")
    expect(page.get_by_role("main")).to_contain_text("Berta Quiñones")
    expect(page.get_by_role("main")).to_contain_text(words["you"])
    page.get_by_role("button", name=re.compile("^" + re.escape(words["final"]))).click()
    expect(page.get_by_role("alert")).to_have_text(words["not yet"])
    if javascript:
        found["training"] = axe_violations(page)
    page.get_by_role("link", name=words["availability"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["availability"])
    if javascript:
        found["availability"] = axe_violations(page)
        assert {name: v for name, v in found.items() if v} == {}
        assert len(found) == 6
        assert sideways_overflow(page) == 0
    page.context.close()


def test_only_the_meetings_facilitator_sees_its_attendance(
    stack: Stack, browser: Browser, led: dict[str, Any]
) -> None:
    address = f"{stack.portal}/facilitator/meetings/{led['meeting_id']}/attendance"
    signed_out = httpx.get(address)
    assert signed_out.status_code == 303 and "/sign-in" in signed_out.headers["location"]
    other = World.create(stack)
    page = _page(browser, _sign_in(browser, stack, other.facilitator_email), "en", True)
    answer = page.goto(address)
    assert answer is not None and answer.status == 404
    answer = page.goto(f"{stack.portal}/facilitator/offerings/{led['offering']['id']}")
    assert answer is not None and answer.status == 404
    page.context.close()


def _methods(stack: Stack, email: str) -> set[str]:
    return {str(calendar.get("METHOD")) for calendar in calendars_to(stack.sink.messages, email)}


def test_narrowing_availability_hands_the_training_to_another_facilitator(
    stack: Stack, browser: Browser, led: dict[str, Any], signed_in: Any
) -> None:
    world, words = led["world"], WORDS["es"]
    other = f"luis-{world.tag}@facilitators.test"
    add_facilitator(stack, other, "Luis Ortega", world.program_code)
    page = _page(browser, signed_in, "es", True)
    page.goto(f"{stack.portal}/facilitator")
    page.get_by_role("link", name=words["availability"]).first.click()
    days = page.get_by_role("main").get_by_role("group")
    monday = days.first
    expect(monday.get_by_label(words["from"])).to_have_value("00:00")
    assert axe_violations(page) == []

    monday.get_by_label(words["until"]).fill("")
    page.get_by_role("button", name=words["save grid"]).click()
    expect(monday.get_by_label(words["until"])).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("main")).to_contain_text(words["both"])
    assert axe_violations(page) == []

    keep = (led["weekday"] + 3) % 7
    for day, group in enumerate(days.all()):
        start, end = ("10:00", "11:00") if day == keep else ("", "")
        group.get_by_label(words["from"]).fill(start)
        group.get_by_label(words["until"]).fill(end)
    page.get_by_role("button", name=words["save grid"]).click()
    expect(page.get_by_role("status")).to_have_text(words["grid saved"])
    expect(page.get_by_role("main")).to_contain_text(words["given up"])
    expect(page.get_by_role("main")).to_contain_text(words["restaffed"])
    assert axe_violations(page) == []
    expect(days.nth(keep).get_by_label(words["from"])).to_have_value("10:00")

    roster = httpx.get(
        f"{stack.scheduler}/offerings/{led['offering']['id']}/roster",
        headers=bearer(world.affiliate_key),
    ).json()
    assert [person["name"] for person in roster["cohorts"][0]["facilitators"]] == ["Luis Ortega"]
    stack.sink.wait_for(
        lambda _: (
            "CANCEL" in _methods(stack, world.facilitator_email)
            and "REQUEST" in _methods(stack, other)
        ),
        timeout=30,
    )
    page.goto(f"{stack.portal}/facilitator")
    expect(page.get_by_role("main")).to_contain_text(words["not booked"])
    page.context.close()
