"""An offering's page and its Register button against real Redis, with the APIs faked."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import (
    FakeAccounts,
    csrf_of,
    heading,
    me_in,
    offering,
    page_of,
    portal_client,
    sign_in,
)

CONFIRMED = {"id": 5, "offering_id": 41, "status": "confirmed", "waitlist_position": None}
WAITLISTED = {**CONFIRMED, "status": "waitlisted", "waitlist_position": 3}


@pytest.fixture
def fake() -> FakeAccounts:
    fake = FakeAccounts()
    fake.answers["GET /offerings/41"] = lambda _: httpx.Response(200, json=offering())
    fake.answers["GET /registrations"] = page_of()
    fake.answers["POST /registrations"] = lambda _: httpx.Response(201, json=CONFIRMED)
    return fake


@pytest.fixture
def client(fake: FakeAccounts) -> Iterator[TestClient]:
    with portal_client(fake) as client:
        yield client


def _register(client: TestClient) -> httpx.Response:
    page = client.get("/offerings/41")
    fields = {"csrf": csrf_of(page.text)}
    return client.post("/offerings/41/register", data=fields, follow_redirects=False)


def test_the_page_shows_the_details_and_meetings_in_the_offerings_zone(
    client: TestClient, fake: FakeAccounts
) -> None:
    page = client.get("/offerings/41")
    assert page.status_code == 200 and heading(page.text) == "Implicit Bias in the Classroom"
    assert "Two mornings on recognising bias." in page.text
    assert "Tuesday, March 16, 2027</time>, 9:00\u202fAM\u201312:00\u202fPM" in page.text
    assert page.text.count("<h2>Meetings,") == 1
    assert "Central Library, 1 Main St, Peoria, IL" in page.text
    assert "<dt>PD hours</dt><dd>6</dd>" in page.text
    assert 'action="/offerings/41/register"' in page.text and ">Register</button>" in page.text
    assert fake.asked("GET /registrations") == []


def test_an_online_offering_without_hours_says_so_in_spanish(
    client: TestClient, fake: FakeAccounts
) -> None:
    online = offering(format="virtual", venue=None, pd_hours=0)
    fake.answers["GET /offerings/41"] = lambda _: httpx.Response(200, json=online)
    page = client.get("/offerings/41", headers={"Accept-Language": "es"})
    assert "<dd>\n    En línea\n  </dd>" in page.text and "Horas de DP" not in page.text
    assert ">Inscribirme</button>" in page.text
    assert "martes, 16 de marzo de 2027</time>, 9:00\u201312:00" in page.text


def test_a_reader_in_another_zone_also_sees_the_meetings_in_theirs(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /me"] = me_in("Europe/Madrid")
    sign_in(client)
    page = client.get("/offerings/41")
    assert page.text.count("<h2>Meetings,") == 2
    assert "Tuesday, March 16, 2027</time>, 3:00\u202fPM\u20136:00\u202fPM" in page.text


def test_register_signed_out_leads_to_sign_in_and_back_here(
    client: TestClient, fake: FakeAccounts
) -> None:
    asked = _register(client)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/sign-in?next=%2Fofferings%2F41"
    assert fake.asked("POST /registrations") == []
    form = client.get(asked.headers["location"])
    assert 'name="next" value="/offerings/41"' in form.text
    assert sign_in(client, "/offerings/41").headers["location"] == "/offerings/41"


def test_register_signed_in_books_with_the_persons_token_and_says_so(
    client: TestClient, fake: FakeAccounts
) -> None:
    sign_in(client)
    done = _register(client)
    assert done.status_code == 303 and done.headers["location"] == "/offerings/41"
    (booked,) = fake.asked("POST /registrations")
    assert booked.headers["Authorization"] == "Bearer access-1"
    assert fake.body("POST /registrations") == {"offering_id": 41}
    fake.answers["GET /registrations"] = page_of(CONFIRMED)
    page = client.get("/offerings/41")
    assert "You&#39;re registered." in page.text and ">Register</button>" not in page.text
    assert fake.asked("GET /registrations")[-1].url.params["offering_id"] == "41"


def test_a_waitlisted_person_reads_their_place(client: TestClient, fake: FakeAccounts) -> None:
    sign_in(client)
    fake.answers["GET /registrations"] = page_of(WAITLISTED)
    page = client.get("/offerings/41", headers={"Accept-Language": "es"})
    assert "Eres el número 3 de la lista de espera." in page.text


@pytest.mark.parametrize(
    ("detail", "message"),
    [
        ("registration for this offering is closed", "Registration for this training has closed."),
        ("offering is cancelled", "This training has been cancelled."),
        ("meetings overlap offering 9 (X), where you hold a seat", "Its meetings overlap"),
    ],
)
def test_a_refused_registration_says_why_and_changes_nothing(
    client: TestClient, fake: FakeAccounts, detail: str, message: str
) -> None:
    fake.answers["POST /registrations"] = lambda _: httpx.Response(409, json={"detail": detail})
    sign_in(client)
    page = _register(client)
    assert page.status_code == 409 and message in page.text
    assert 'role="alert"' in page.text and ">Register</button>" in page.text


def test_a_register_post_without_the_csrf_token_does_nothing(
    client: TestClient, fake: FakeAccounts
) -> None:
    sign_in(client)
    refused = client.post("/offerings/41/register", data={"csrf": "forged"})
    assert refused.status_code == 400 and fake.asked("POST /registrations") == []


def test_an_offering_the_registry_does_not_show_is_not_found(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /offerings/42"] = lambda _: httpx.Response(404, json={"detail": "x"})
    assert client.get("/offerings/42").status_code == 404


def test_a_token_the_scheduler_refuses_signs_the_browser_out_and_asks_again(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["POST /registrations"] = lambda _: httpx.Response(401, json={"detail": "x"})
    sign_in(client)
    asked = _register(client)
    assert asked.headers["location"] == "/sign-in?next=%2Fofferings%2F41"
    assert ">Sign in</a>" in client.get("/offerings/41").text


def test_an_offering_only_signed_in_people_see_is_read_with_their_token(
    client: TestClient, fake: FakeAccounts
) -> None:
    def registry(request: httpx.Request) -> httpx.Response:
        if "authorization" not in request.headers:
            return httpx.Response(404, json={"detail": "no such offering"})
        return httpx.Response(200, json=offering(sensitive=True))

    fake.answers["GET /offerings/41"] = registry
    assert client.get("/offerings/41").status_code == 404
    sign_in(client)
    page = client.get("/offerings/41")
    assert page.status_code == 200 and heading(page.text) == "Implicit Bias in the Classroom"


def test_a_draft_the_registry_shows_its_own_staff_is_no_page(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /offerings/41"] = lambda _: httpx.Response(200, json=offering(status="draft"))
    sign_in(client)
    assert client.get("/offerings/41").status_code == 404
