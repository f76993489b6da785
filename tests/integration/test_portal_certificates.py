"""Certificates on the portal: the public verification page read from the real notifier (in
English and Spanish, Valid and Revoked, axe-core in Chromium finding nothing), and the PD credit
section of My trainings from the scheduler's `GET /credits`, nothing yet while it answers 404."""

import secrets
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Route

from services.notifier.main import app as notifier_app
from shared.events import CompletionEarned, CreditRevoked
from tests.support.browser import PHONE, axe_violations, chromium, sideways_overflow
from tests.support.notifier import apply, cohort, forget_deliveries, new_id, person, weekly_meetings
from tests.support.portal import FakeAccounts, heading, page_of, portal_client, sign_in

PORTAL = "http://portal.test"
CREDIT = {
    "id": 9,
    "offering_id": 41,
    "program_code": "classroom-management",
    "title": "Calm classrooms",
    "hours": 7.5,
    "completed_on": "2026-11-03",
    "certificate_id": "crt_abcdefgh1234",
    "status": "valid",
}


@pytest.fixture(scope="module")
def notifier() -> Iterator[TestClient]:
    with TestClient(notifier_app) as client:
        yield client


@pytest.fixture
def fake() -> FakeAccounts:
    fake = FakeAccounts()
    fake.answers["GET /registrations"] = page_of()
    fake.answers["GET /feeds/me"] = lambda _: httpx.Response(404, json={"detail": "none"})
    return fake


@pytest.fixture
def portal(fake: FakeAccounts, notifier: TestClient) -> Iterator[TestClient]:
    """The portal, its notifier the real one (in this process); the other APIs faked."""
    with portal_client(fake) as client:
        apis = client.app.state.connections.apis  # type: ignore[attr-defined]
        transport = httpx.ASGITransport(app=notifier_app)
        apis["notifier"] = httpx.AsyncClient(transport=transport, base_url="http://notifier")
        yield client


@pytest.fixture(scope="module")
def certificate(notifier: TestClient) -> Iterator[CompletionEarned]:
    educator = person(name="Dana Teacher")
    event = CompletionEarned(
        credit_id=new_id(),
        certificate_id=f"crt_{secrets.token_urlsafe(12)}",
        educator=educator,
        cohort=cohort(weekly_meetings(2), affiliate_contact_email="training@ohea.example.org"),
        hours=6,
        completed_on=date(2026, 11, 3),
        attended_percent=100,
    )
    apply(event)
    yield event
    forget_deliveries(educator.email)


def revoke(event: CompletionEarned) -> None:
    apply(
        CreditRevoked(
            credit_id=event.credit_id,
            certificate_id=event.certificate_id,
            educator_id=event.educator.id,
            reason="entered by mistake",
        )
    )


def spanish(headers: dict[str, str] | None = None) -> dict[str, str]:
    return {"Accept-Language": "es", **(headers or {})}


def test_the_verify_page_says_valid_and_what_was_certified(
    portal: TestClient, certificate: CompletionEarned
) -> None:
    page = portal.get(f"/verify/{certificate.certificate_id}")
    assert page.status_code == 200 and heading(page.text) == "Certificate verification"
    assert "<strong>Valid</strong>" in page.text
    for shown in ("Dana Teacher", "Classroom Management", "November 3, 2026", "Ohio Education"):
        assert shown in page.text, shown
    assert certificate.educator.email not in page.text and "training@ohea" not in page.text


def test_in_spanish(portal: TestClient, certificate: CompletionEarned) -> None:
    page = portal.get(f"/verify/{certificate.certificate_id}", headers=spanish())
    assert heading(page.text) == "Verificación de certificado"
    assert "<strong>Válido</strong>" in page.text and "3 de noviembre de 2026" in page.text


def test_unknown_and_malformed_ids_are_the_404_page(portal: TestClient) -> None:
    for bad in (f"crt_{secrets.token_urlsafe(12)}", "short", "x" * 80, "a%20b%3Bc%2Fdefgh"):
        page = portal.get(f"/verify/{bad}")
        assert page.status_code == 404 and heading(page.text) == "Page not found", bad


def test_me_says_nothing_yet_while_the_scheduler_serves_no_credits(
    portal: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /credits"] = lambda _: httpx.Response(404, json={"detail": "Not Found"})
    sign_in(portal)
    page = portal.get("/me")
    assert page.status_code == 200 and "<h2>PD credit and certificates</h2>" in page.text
    assert "No PD credit yet" in page.text


def test_me_lists_credits_with_their_downloads(portal: TestClient, fake: FakeAccounts) -> None:
    body = {"items": [CREDIT], "total": 1, "hours_total": 7.5}
    fake.answers["GET /credits"] = lambda _: httpx.Response(200, json=body)
    sign_in(portal)
    page = portal.get("/me")
    assert "Calm classrooms" in page.text and "Valid PD hours in total: 7.5" in page.text
    assert '<a href="/me/certificates/crt_abcdefgh1234.pdf">' in page.text
    assert '<a href="/verify/crt_abcdefgh1234">' in page.text
    assert '<a href="/me/transcript.pdf">' in page.text
    assert '<a href="/me/credits/9/badge.jwt">' in page.text
    assert fake.asked("GET /credits")[-1].headers["Authorization"] == "Bearer access-1"


def _pdf(_: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b"%PDF-1.7", headers={"content-type": "application/pdf"})


def test_downloads_pass_the_persons_token_to_the_notifier(
    portal: TestClient, fake: FakeAccounts
) -> None:
    apis = portal.app.state.connections.apis  # type: ignore[attr-defined]
    apis["notifier"] = httpx.AsyncClient(
        transport=httpx.MockTransport(fake), base_url="http://notifier"
    )
    fake.answers["GET /certificates/crt_abcdefgh1234.pdf"] = _pdf
    fake.answers["GET /transcripts/me.pdf"] = _pdf
    fake.answers["GET /certificates/crt_someone_else.pdf"] = lambda _: httpx.Response(404)
    assert portal.get("/me/transcript.pdf", follow_redirects=False).status_code == 303
    sign_in(portal)
    got = portal.get("/me/certificates/crt_abcdefgh1234.pdf")
    assert got.status_code == 200 and got.content == b"%PDF-1.7"
    assert got.headers["content-type"] == "application/pdf"
    assert fake.asked("GET /certificates/crt_abcdefgh1234.pdf")[-1].headers["Authorization"] == (
        "Bearer access-1"
    )
    assert portal.get("/me/transcript.pdf").content == b"%PDF-1.7"
    assert portal.get("/me/certificates/crt_someone_else.pdf").status_code == 404
    assert portal.get("/me/certificates/bad.pdf").status_code == 404


def test_the_open_badge_is_passed_on_with_the_persons_token(
    portal: TestClient, fake: FakeAccounts
) -> None:
    apis = portal.app.state.connections.apis  # type: ignore[attr-defined]
    apis["scheduler"] = httpx.AsyncClient(
        transport=httpx.MockTransport(fake), base_url="http://scheduler"
    )
    fake.answers["GET /credits/9/badge"] = lambda _: httpx.Response(
        200, text="aaa.bbb.ccc", headers={"content-type": "application/vc+jwt"}
    )
    fake.answers["GET /credits/10/badge"] = lambda _: httpx.Response(409)
    assert portal.get("/me/credits/9/badge.jwt", follow_redirects=False).status_code == 303
    sign_in(portal)
    got = portal.get("/me/credits/9/badge.jwt")
    assert got.status_code == 200 and got.text == "aaa.bbb.ccc"
    assert got.headers["content-type"].startswith("application/vc+jwt")
    assert "attachment" in got.headers["content-disposition"]
    assert fake.asked("GET /credits/9/badge")[-1].headers["Authorization"] == "Bearer access-1"
    assert portal.get("/me/credits/10/badge.jwt").status_code == 404
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
    portal: TestClient, browser: Browser, language: str
) -> None:
    valid, revoked = [
        CompletionEarned(
            credit_id=new_id(),
            certificate_id=f"crt_{secrets.token_urlsafe(12)}",
            educator=person(name="Dana Teacher"),
            cohort=cohort(weekly_meetings(1)),
            hours=3,
            completed_on=date(2026, 11, 3),
            attended_percent=90,
        )
        for _ in range(2)
    ]
    apply(valid)
    apply(revoked)
    revoke(revoked)
    paths = [
        f"/verify/{valid.certificate_id}",
        f"/verify/{revoked.certificate_id}",
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
    for event in (valid, revoked):
        forget_deliveries(event.educator.email)
    verdict = "<strong>Revocado</strong>" if language == "es" else "<strong>Revoked</strong>"
    assert verdict in portal.get(paths[1], headers={"Accept-Language": language}).text
