"""Certificates on the portal from the real services: credits earned by marked attendance at the
scheduler reach the notifier by their events; the public verification page (English, Spanish,
Valid and Revoked, axe-core in Chromium finding nothing); My trainings' PD credit section, the
PDFs and the Open Badge passed on with the person's token."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from babel.dates import format_date
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Route

from tests.support.browser import PHONE, axe_violations, chromium, sideways_overflow
from tests.support.portal import Traffic, heading, new_email, portal_client, sign_in
from tests.support.portal_world import (
    ZONE,
    editor_of,
    known_to_scheduler,
    local_in,
    named_person,
    new_affiliate,
    new_educator,
    new_offering,
    new_program,
    operator,
    register,
    signed_in_at_accounts,
)
from tests.support.services import Apis, eventually
from tests.support.tokens import bearer

PORTAL = "http://portal.test"
Json = dict[str, Any]


@dataclass(frozen=True)
class Earned:
    """Dana's valid credit and her revoked one, someone else's credit, and Dana's address."""

    valid: Json
    revoked: Json
    theirs: Json
    email: str

    @property
    def completed_on(self) -> date:
        """The day the valid credit was earned."""
        return date.fromisoformat(self.valid["completed_on"])


def _meeting(minutes_ahead: int, minutes: int) -> list[dict[str, str]]:
    # Attendance may be marked from 30 minutes before a meeting starts.
    start = minutes_ahead * 60
    return [{"starts_at": local_in(ZONE, start), "ends_at": local_in(ZONE, start + minutes * 60)}]


def _attended(apis: Apis, affiliate: int, offering: Json, registrations: list[Json]) -> None:
    """Mark everyone present at the offering's meeting and make the cohort's attendance final."""
    editor = editor_of(affiliate)
    marks = [{"registration_id": r["id"], "status": "present"} for r in registrations]
    meeting = f"{apis.scheduler}/meetings/{offering['meetings'][0]['id']}/attendance"
    assert httpx.put(meeting, json=marks, headers=editor).status_code == 200
    final = f"{apis.scheduler}/cohorts/{registrations[0]['cohort_id']}/attendance/finalize"
    assert httpx.post(final, headers=editor).status_code == 200


def _verified(apis: Apis, certificate_id: str) -> str | None:
    answer = httpx.get(f"{apis.notifier}/verify/{certificate_id}")
    return str(answer.json()["status"]) if answer.status_code == 200 else None


@pytest.fixture(scope="module")
def earned(apis: Apis) -> Earned:
    contact = "training@ohea.example.org"
    affiliate = new_affiliate(apis, "Ohio Education Association", contact_email=contact)["id"]
    code = new_program(apis, "Classroom Management", pd_hours=7.5)["code"]
    first = new_offering(apis, affiliate, code, title="Calm classrooms", meetings=_meeting(20, 5))
    second = new_offering(apis, affiliate, code, title="Calm again", meetings=_meeting(26, 3))
    known_to_scheduler(apis, first["id"], second["id"])
    email = new_email("dana")
    named_person(apis, "Dana Teacher", email)
    dana = bearer(signed_in_at_accounts(apis, email)["access_token"])
    someone = new_educator("Eli")["headers"]
    both = [register(apis, dana, first["id"]), register(apis, someone, first["id"])]
    _attended(apis, affiliate, first, both)
    _attended(apis, affiliate, second, [register(apis, dana, second["id"])])
    mine = httpx.get(f"{apis.scheduler}/credits", headers=dana).json()["items"]
    valid, revoked = sorted(mine, key=lambda credit: credit["title"] != "Calm classrooms")
    (theirs,) = httpx.get(f"{apis.scheduler}/credits", headers=someone).json()["items"]
    revoke = f"{apis.scheduler}/credits/{revoked['id']}/revoke"
    answer = httpx.post(revoke, json={"reason": "entered by mistake"}, headers=operator())
    assert answer.status_code == 200, answer.text
    eventually(
        lambda: (
            _verified(apis, valid["certificate_id"]) == "valid"
            and _verified(apis, revoked["certificate_id"]) == "revoked"
        ),
        "the credits reaching the notifier",
    )
    return Earned(valid, revoked, theirs, email)


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def portal(apis: Apis, traffic: Traffic) -> Iterator[TestClient]:
    with portal_client(traffic) as client:
        yield client


def _token_sent(traffic: Traffic, route: str) -> str:
    return str(traffic.asked(route)[-1].headers["Authorization"])


def test_the_verify_page_says_valid_and_what_was_certified(
    portal: TestClient, earned: Earned
) -> None:
    page = portal.get(f"/verify/{earned.valid['certificate_id']}")
    assert page.status_code == 200 and heading(page.text) == "Certificate verification"
    assert "<strong>Valid</strong>" in page.text
    day = format_date(earned.completed_on, "long", locale="en")
    for shown in ("Dana Teacher", "Classroom Management", day, "Ohio Education"):
        assert shown in page.text, shown
    assert earned.email not in page.text and "training@ohea" not in page.text


def test_in_spanish(portal: TestClient, earned: Earned) -> None:
    page = portal.get(
        f"/verify/{earned.valid['certificate_id']}", headers={"Accept-Language": "es"}
    )
    assert heading(page.text) == "Verificación de certificado"
    assert "<strong>Válido</strong>" in page.text
    assert format_date(earned.completed_on, "long", locale="es") in page.text


def test_unknown_and_malformed_ids_are_the_404_page(portal: TestClient) -> None:
    for bad in ("crt_nobodyhasthisone1", "short", "x" * 80, "a%20b%3Bc%2Fdefgh"):
        page = portal.get(f"/verify/{bad}")
        assert page.status_code == 404 and heading(page.text) == "Page not found", bad


def test_me_says_nothing_yet_to_someone_without_credit(portal: TestClient) -> None:
    sign_in(portal)
    page = portal.get("/me")
    assert page.status_code == 200 and "<h2>PD credit and certificates</h2>" in page.text
    assert "No PD credit yet" in page.text


def test_me_lists_credits_with_their_downloads(
    portal: TestClient, traffic: Traffic, earned: Earned
) -> None:
    sign_in(portal, earned.email)
    page = portal.get("/me")
    certificate, credit = earned.valid["certificate_id"], earned.valid["id"]
    assert "Calm classrooms" in page.text and "Valid PD hours in total: 7.5" in page.text
    assert f'<a href="/me/certificates/{certificate}.pdf">' in page.text
    assert f'<a href="/verify/{certificate}">' in page.text
    assert '<a href="/me/transcript.pdf">' in page.text
    assert f'<a href="/me/credits/{credit}/badge.jwt">' in page.text
    assert _token_sent(traffic, "GET /credits").startswith("Bearer ey")


def test_downloads_pass_the_persons_token_to_the_notifier(
    portal: TestClient, traffic: Traffic, earned: Earned
) -> None:
    certificate = earned.valid["certificate_id"]
    assert portal.get("/me/transcript.pdf", follow_redirects=False).status_code == 303
    sign_in(portal, earned.email)
    got = portal.get(f"/me/certificates/{certificate}.pdf")
    assert got.status_code == 200 and got.content.startswith(b"%PDF-")
    assert got.headers["content-type"] == "application/pdf"
    assert _token_sent(traffic, f"GET /certificates/{certificate}.pdf").startswith("Bearer ey")
    assert portal.get("/me/transcript.pdf").content.startswith(b"%PDF-")
    theirs = earned.theirs["certificate_id"]
    assert portal.get(f"/me/certificates/{theirs}.pdf").status_code == 404
    assert portal.get("/me/certificates/bad.pdf").status_code == 404


def test_the_open_badge_is_passed_on_with_the_persons_token(
    portal: TestClient, traffic: Traffic, earned: Earned
) -> None:
    credit = earned.valid["id"]
    assert portal.get(f"/me/credits/{credit}/badge.jwt", follow_redirects=False).status_code == 303
    sign_in(portal, earned.email)
    got = portal.get(f"/me/credits/{credit}/badge.jwt")
    assert got.status_code == 200 and got.text.count(".") == 2
    assert got.headers["content-type"].startswith("application/vc+jwt")
    assert "attachment" in got.headers["content-disposition"]
    assert _token_sent(traffic, f"GET /credits/{credit}/badge").startswith("Bearer ey")
    # A revoked credit has no badge (the scheduler answers 409).
    assert portal.get(f"/me/credits/{earned.revoked['id']}/badge.jwt").status_code == 404
    assert portal.get(f"/me/credits/{earned.theirs['id']}/badge.jwt").status_code == 404
    assert portal.get("/me/credits/0/badge.jwt").status_code == 404


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _served_by(portal: TestClient, language: str) -> Any:
    def handle(route: Route) -> None:
        path = route.request.url.removeprefix(PORTAL)
        answer = portal.get(path, headers={"Accept-Language": language}, follow_redirects=False)
        route.fulfill(status=answer.status_code, headers=dict(answer.headers), body=answer.content)

    return handle


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_verify_page_passes_axe_valid_revoked_and_unknown(
    portal: TestClient, browser: Browser, earned: Earned, language: str
) -> None:
    paths = [
        f"/verify/{earned.valid['certificate_id']}",
        f"/verify/{earned.revoked['certificate_id']}",
        "/verify/nobody-at-all",
    ]
    for viewport in ({"width": 1280, "height": 800}, PHONE):
        page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
        page.route(f"{PORTAL}/**", _served_by(portal, language))
        for path in paths:
            page.goto(PORTAL + path)
            assert page.locator("html").get_attribute("lang") == language
            assert axe_violations(page) == [], path
            assert sideways_overflow(page) == 0, path
        page.close()
    verdict = "<strong>Revocado</strong>" if language == "es" else "<strong>Revoked</strong>"
    assert verdict in portal.get(paths[1], headers={"Accept-Language": language}).text
