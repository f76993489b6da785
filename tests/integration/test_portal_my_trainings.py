"""My trainings against real Redis, with the APIs faked: the list, cancelling, the feed."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import (
    FakeAccounts,
    csrf_of,
    heading,
    offering,
    page_of,
    portal_client,
    sign_in,
)

UPCOMING = {"id": 5, "offering_id": 41, "status": "confirmed", "waitlist_position": None}
WAITING = {"id": 6, "offering_id": 43, "status": "waitlisted", "waitlist_position": 2}
PAST = {"id": 4, "offering_id": 40, "status": "confirmed", "waitlist_position": None}
FEED = {
    "url": "http://feeds.example.org/calendars/s3cret.ics",
    "webcal_url": "webcal://feeds.example.org/calendars/s3cret.ics",
}
OLD_MEETING = {
    "id": 1,
    "starts_at": "2025-05-06T09:00:00-05:00",
    "starts_at_utc": "2025-05-06T14:00:00+00:00",
    "ends_at": "2025-05-06T12:00:00-05:00",
    "ends_at_utc": "2025-05-06T17:00:00+00:00",
    "timezone": "America/Chicago",
}


def _offering_answer(request: httpx.Request) -> httpx.Response:
    offering_id = int(request.url.path.rsplit("/", 1)[1])
    if offering_id == 40:
        return httpx.Response(200, json=offering(40, title="Last spring", meetings=[OLD_MEETING]))
    return httpx.Response(200, json=offering(offering_id, title=f"Training {offering_id}"))


@pytest.fixture
def fake() -> FakeAccounts:
    fake = FakeAccounts()
    fake.answers["GET /registrations"] = page_of(UPCOMING, WAITING, PAST)
    fake.answers["GET /registrations/5"] = lambda _: httpx.Response(200, json=UPCOMING)
    fake.answers["POST /registrations/5/cancel"] = lambda _: httpx.Response(
        200, json={"id": 5, "status": "cancelled"}
    )
    for offering_id in (40, 41, 43):
        fake.answers[f"GET /offerings/{offering_id}"] = _offering_answer
    fake.answers["GET /feeds/me"] = lambda _: httpx.Response(200, json=FEED)
    fake.answers["POST /feeds/me/reset"] = lambda _: httpx.Response(200, json=FEED)
    return fake


@pytest.fixture
def client(fake: FakeAccounts) -> Iterator[TestClient]:
    with portal_client(fake) as client:
        yield client


def test_signed_out_it_asks_for_sign_in_and_comes_back(client: TestClient) -> None:
    asked = client.get("/me", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/sign-in?next=%2Fme"
    assert sign_in(client, "/me").headers["location"] == "/me"


def test_it_lists_upcoming_and_past_trainings_with_status_and_place(
    client: TestClient, fake: FakeAccounts
) -> None:
    sign_in(client)
    page = client.get("/me")
    assert page.status_code == 200 and heading(page.text) == "My trainings"
    upcoming, past = page.text.split("<h2>Past</h2>")
    assert '<a href="/offerings/41">Training 41</a>' in upcoming
    assert "On the waitlist, number 2" in upcoming
    assert '<a href="/offerings/40">Last spring</a>' in past.split("<h2>Your calendar")[0]
    assert upcoming.count("Cancel registration") == 2 and "Cancel registration" not in past
    assert fake.asked("GET /registrations")[0].headers["Authorization"] == "Bearer access-1"
    # Read with the person's token: a program not listed publicly still shows its title here.
    assert fake.asked("GET /offerings/41")[-1].headers["Authorization"] == "Bearer access-1"


def test_the_feed_link_subscribes_and_reset_asks_first(
    client: TestClient, fake: FakeAccounts
) -> None:
    sign_in(client)
    page = client.get("/me")
    assert f'href="{FEED["webcal_url"]}"' in page.text and FEED["url"] in page.text
    confirm = client.get("/me/calendar/reset")
    assert heading(confirm.text) == "Reset my calendar address"
    assert fake.asked("POST /feeds/me/reset") == []
    done = client.post("/me/calendar/reset", data={"csrf": csrf_of(confirm.text)})
    assert len(fake.asked("POST /feeds/me/reset")) == 1
    assert "Your calendar has a new address." in done.text


def test_my_trainings_shows_without_the_feed_when_the_notifier_is_down(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /feeds/me"] = lambda _: httpx.Response(503)
    sign_in(client)
    page = client.get("/me")
    assert page.status_code == 200 and "not available right now" in page.text


def test_cancel_asks_on_its_own_page_then_cancels_and_says_so(
    client: TestClient, fake: FakeAccounts
) -> None:
    sign_in(client)
    confirm = client.get("/me/registrations/5/cancel")
    assert heading(confirm.text) == "Cancel registration" and "Training 41" in confirm.text
    assert fake.asked("POST /registrations/5/cancel") == []
    fields = {"csrf": csrf_of(confirm.text)}
    done = client.post("/me/registrations/5/cancel", data=fields, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/me?done=cancelled"
    (cancelled,) = fake.asked("POST /registrations/5/cancel")
    assert cancelled.headers["Authorization"] == "Bearer access-1"
    back = client.get(done.headers["location"], headers={"Accept-Language": "es"})
    assert "Tu inscripción está cancelada." in back.text


def test_a_cancel_without_the_csrf_token_does_nothing(
    client: TestClient, fake: FakeAccounts
) -> None:
    sign_in(client)
    refused = client.post("/me/registrations/5/cancel", data={"csrf": "forged"})
    assert refused.status_code == 400 and fake.asked("POST /registrations/5/cancel") == []


def test_someone_elses_registration_is_not_found(client: TestClient, fake: FakeAccounts) -> None:
    fake.answers["GET /registrations/9"] = lambda _: httpx.Response(404, json={"detail": "x"})
    sign_in(client)
    assert client.get("/me/registrations/9/cancel").status_code == 404


def test_spanish_wording(client: TestClient) -> None:
    sign_in(client)
    page = client.get("/me", headers={"Accept-Language": "es"})
    assert heading(page.text) == "Mis capacitaciones" and "Cancelar inscripción" in page.text
