"""QR check-in in a real browser: the facilitator's code opens the portal, a signed-out educator
signs in on the way, checks in with one button (twice is harmless) and is marked present; a wrong
code is refused in the page's language; the QR image holds the check-in address."""

import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.actors import ZONE, World, bearer, meeting_body
from tests.e2e.harness import Stack
from tests.support.browser import axe_violations, chromium, mailed_link, nth_sign_in_link

pytestmark = pytest.mark.e2e
WORDS = {
    "en": {
        "heading": "Check in",
        "button": "Check me in",
        "done": "You're checked in",
        "present": "You are marked present.",
        "code": "Check-in code",
        "not valid": "This code is not valid",
        "email": "Email address",
        "send": "Email me a sign-in link",
        "continue": "Continue",
        "register": "Register",
        "registered": "You're registered.",
    },
    "es": {
        "heading": "Registrar asistencia",
        "button": "Registrar mi asistencia",
        "done": "Tu asistencia quedó registrada",
        "present": "Quedaste como presente.",
        "code": "Código de asistencia",
        "not valid": "Este código no es válido",
        "email": "Correo electrónico",
        "send": "Enviarme un enlace para iniciar sesión",
        "continue": "Continuar",
        "register": "Inscribirme",
        "registered": "Estás inscrito.",
    },
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def meeting_now(stack: Stack) -> dict[str, Any]:
    """A published training whose first meeting starts in 20 minutes; its check-in code open."""
    world = World.create(stack)
    soon = datetime.now(ZoneInfo(ZONE)).replace(tzinfo=None, second=0, microsecond=0)
    later = soon + timedelta(days=7)
    offering = world.publish_offering(
        [meeting_body(soon + timedelta(minutes=20), hours=2), meeting_body(later)]
    )
    first = offering["meetings"][0]["id"]
    opened = httpx.post(
        f"{stack.scheduler}/meetings/{first}/check-in-codes", headers=bearer(world.affiliate_key)
    )
    assert opened.status_code == 201, opened.text
    return {"offering": offering, "meeting_id": first, "world": world, **opened.json()}


def _check_in(page: Page, words: dict[str, str], found: dict[str, list[Any]] | None) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(words["heading"])
    if found is not None:
        found["form"] = axe_violations(page)
    page.get_by_role("button", name=words["button"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["done"])
    expect(page.get_by_role("status")).to_have_text(words["present"])
    if found is not None:
        found["done"] = axe_violations(page)


def _attendance(stack: Stack, meeting: dict[str, Any]) -> dict[str, str]:
    token = meeting["world"].affiliate_key
    answer = httpx.get(
        f"{stack.scheduler}/meetings/{meeting['meeting_id']}/attendance", headers=bearer(token)
    )
    assert answer.status_code == 200, answer.text
    return {str(item["registration_id"]): item["status"] for item in answer.json()["items"]}


@pytest.mark.parametrize(
    ("language", "javascript"),
    [("en", True), ("es", True), ("es", False)],
    ids=["en-javascript", "es-javascript", "es-no-js"],
)
def test_scan_sign_in_and_check_in_twice(
    stack: Stack, browser: Browser, meeting_now: dict[str, Any], language: str, javascript: bool
) -> None:
    words = WORDS[language]
    context = browser.new_context(
        java_script_enabled=javascript, extra_http_headers={"Accept-Language": language}
    )
    page = context.new_page()
    email = f"check-in.{uuid.uuid4().hex[:8]}@schools.example.org"
    page.goto(f"{stack.portal}/offerings/{meeting_now['offering']['id']}")
    page.get_by_role("button", name=words["register"]).click()
    _sign_in_on_the_way_to(page, stack, words, email)
    page.get_by_role("button", name=words["register"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["registered"])
    before = _attendance(stack, meeting_now)
    assert "unmarked" in before.values()

    context.clear_cookies()
    page.goto(meeting_now["url"])
    assert "/sign-in?next=" in page.url
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()
    page.goto(nth_sign_in_link(stack.sink, email, 2))
    page.get_by_role("button", name=words["continue"]).click()
    page.wait_for_url(meeting_now["url"])
    # axe-core runs in the page: it is checked where JavaScript is on.
    found: dict[str, list[Any]] | None = {} if javascript else None
    _check_in(page, words, found)
    expect(page.get_by_role("main")).to_contain_text(meeting_now["offering"]["title"])

    page.goto(meeting_now["url"])
    _check_in(page, words, None)
    marks = _attendance(stack, meeting_now)
    assert sorted(marks.values()).count("present") == sorted(before.values()).count("present") + 1

    page.goto(f"{stack.portal}/check-in?code=ZZZZ-ZZZZ")
    page.get_by_role("button", name=words["button"]).click()
    expect(page.get_by_label(words["code"])).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("main")).to_contain_text(words["not valid"])
    if found is not None:
        found["refused"] = axe_violations(page)
        assert {name: v for name, v in found.items() if v} == {}
        assert len(found) == 3
    context.close()


def _sign_in_on_the_way_to(page: Page, stack: Stack, words: dict[str, str], email: str) -> None:
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()
    page.goto(mailed_link(stack.sink, email))
    page.get_by_role("button", name=words["continue"]).click()
    page.wait_for_url("**/offerings/*")


def test_the_qr_image_holds_the_check_in_address(
    stack: Stack, browser: Browser, meeting_now: dict[str, Any], tmp_path: Path
) -> None:
    image = httpx.get(meeting_now["qr_svg_url"])
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")
    page = browser.new_page()
    page.set_content(f"<img alt='' src='{meeting_now['qr_svg_url']}' width=400 height=400>")
    page.locator("img").screenshot(path=str(tmp_path / "qr.png"))
    page.close()
    decoded = [found.text for found in zxingcpp.read_barcodes(Image.open(tmp_path / "qr.png"))]
    assert decoded == [meeting_now["url"]]
    assert httpx.get(f"{stack.portal}/check-in/qr.svg").status_code == 404
