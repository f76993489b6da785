"""My trainings against the real scheduler, registry, notifier and accounts (and Redis): the
list, cancelling, the calendar feed."""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import (
    Traffic,
    csrf_of,
    heading,
    new_email,
    portal_client,
    sign_in,
    stored_session,
)
from tests.support.portal_world import (
    ZONE,
    fill,
    known_to_scheduler,
    local_in,
    new_affiliate,
    new_educator,
    new_offering,
    new_program,
    register,
    signed_in_at_accounts,
)
from tests.support.services import Apis, closed_port_url
from tests.support.tokens import bearer

Json = dict[str, Any]
APRIL = [{"starts_at": "2027-04-13T09:00", "ends_at": "2027-04-13T12:00"}]
PAST_STARTS_IN = 4  # seconds: long enough to publish it and register before it starts


@dataclass(frozen=True)
class World:
    """An upcoming offering (of a program not listed publicly), a full one, one just ended, and
    a person who registered for the one just ended while it was still ahead."""

    upcoming: Json
    full: Json
    past: Json
    email: str


@pytest.fixture(scope="module")
def world(apis: Apis) -> World:
    affiliate = new_affiliate(apis)["id"]
    code = new_program(apis)["code"]
    ended_at = time.monotonic() + PAST_STARTS_IN + 1
    soon = [
        {"starts_at": local_in(ZONE, PAST_STARTS_IN), "ends_at": local_in(ZONE, PAST_STARTS_IN + 1)}
    ]
    past = new_offering(apis, affiliate, code, title="Last spring", meetings=soon)
    email = new_email()
    known_to_scheduler(apis, past["id"])
    register(apis, bearer(signed_in_at_accounts(apis, email)["access_token"]), past["id"])
    unlisted = new_program(apis, listed_publicly=False)["code"]
    upcoming = new_offering(apis, affiliate, unlisted, title="Upcoming training")
    full = new_offering(
        apis, affiliate, code, title="Waitlisted training", capacity=1, meetings=APRIL
    )
    known_to_scheduler(apis, upcoming["id"], full["id"])
    fill(apis, full["id"], 2)
    time.sleep(max(0.0, ended_at - time.monotonic()))
    return World(upcoming, full, past, email)


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def client(apis: Apis, traffic: Traffic) -> Iterator[TestClient]:
    with portal_client(traffic) as client:
        yield client


def _book(apis: Apis, client: TestClient, offering: Json) -> Json:
    """Register the browser's signed-in person, with their own token."""
    return register(apis, bearer(stored_session(client)["access_token"]), offering["id"])


def test_signed_out_it_asks_for_sign_in_and_comes_back(client: TestClient) -> None:
    asked = client.get("/me", follow_redirects=False)
    assert asked.status_code == 303 and asked.headers["location"] == "/sign-in?next=%2Fme"
    assert sign_in(client, next_page="/me").headers["location"] == "/me"


def test_it_lists_upcoming_and_past_trainings_with_status_and_place(
    apis: Apis, client: TestClient, traffic: Traffic, world: World
) -> None:
    sign_in(client, world.email)
    token = stored_session(client)["access_token"]
    _book(apis, client, world.upcoming)
    assert _book(apis, client, world.full)["waitlist_position"] == 2
    page = client.get("/me")
    assert page.status_code == 200 and heading(page.text) == "My trainings"
    upcoming, past = page.text.split("<h2>Past</h2>")
    assert f'<a href="/offerings/{world.upcoming["id"]}">Upcoming training</a>' in upcoming
    assert "On the waitlist, number 2" in upcoming
    past_link = f'<a href="/offerings/{world.past["id"]}">Last spring</a>'
    assert past_link in past.split("<h2>Your calendar")[0]
    assert upcoming.count("Cancel registration") == 2 and "Cancel registration" not in past
    assert traffic.asked("GET /registrations")[-1].headers["Authorization"] == f"Bearer {token}"
    # Read with the person's token: a program not listed publicly still shows its title here.
    read = traffic.asked(f"GET /offerings/{world.upcoming['id']}")[-1]
    assert read.headers["Authorization"] == f"Bearer {token}"


def test_the_feed_link_subscribes_and_reset_asks_first(
    apis: Apis, client: TestClient, traffic: Traffic
) -> None:
    sign_in(client)
    token = stored_session(client)["access_token"]
    feed = httpx.get(f"{apis.notifier}/feeds/me", headers=bearer(token)).json()
    page = client.get("/me")
    assert f'href="{feed["webcal_url"]}"' in page.text and feed["url"] in page.text
    confirm = client.get("/me/calendar/reset")
    assert heading(confirm.text) == "Reset my calendar address"
    assert traffic.asked("POST /feeds/me/reset") == []
    done = client.post("/me/calendar/reset", data={"csrf": csrf_of(confirm.text)})
    assert len(traffic.asked("POST /feeds/me/reset")) == 1
    assert "Your calendar has a new address." in done.text
    moved = httpx.get(f"{apis.notifier}/feeds/me", headers=bearer(token)).json()
    assert moved["url"] != feed["url"] and moved["url"] in done.text


def test_my_trainings_shows_without_the_feed_when_the_notifier_is_down(apis: Apis) -> None:
    with portal_client(notifier=closed_port_url()) as client:
        sign_in(client)
        page = client.get("/me")
    assert page.status_code == 200 and "not available right now" in page.text


def test_cancel_asks_on_its_own_page_then_cancels_and_says_so(
    apis: Apis, client: TestClient, traffic: Traffic, world: World
) -> None:
    sign_in(client)
    token = stored_session(client)["access_token"]
    registration = _book(apis, client, world.upcoming)["id"]
    confirm = client.get(f"/me/registrations/{registration}/cancel")
    assert heading(confirm.text) == "Cancel registration" and "Upcoming training" in confirm.text
    assert traffic.asked(f"POST /registrations/{registration}/cancel") == []
    fields = {"csrf": csrf_of(confirm.text)}
    done = client.post(
        f"/me/registrations/{registration}/cancel", data=fields, follow_redirects=False
    )
    assert done.status_code == 303 and done.headers["location"] == "/me?done=cancelled"
    (cancelled,) = traffic.asked(f"POST /registrations/{registration}/cancel")
    assert cancelled.headers["Authorization"] == f"Bearer {token}"
    now = httpx.get(f"{apis.scheduler}/registrations/{registration}", headers=bearer(token))
    assert now.json()["status"] == "cancelled"
    back = client.get(done.headers["location"], headers={"Accept-Language": "es"})
    assert "Tu inscripción está cancelada." in back.text


def test_a_cancel_without_the_csrf_token_does_nothing(
    apis: Apis, client: TestClient, traffic: Traffic, world: World
) -> None:
    sign_in(client)
    registration = _book(apis, client, world.upcoming)["id"]
    refused = client.post(f"/me/registrations/{registration}/cancel", data={"csrf": "forged"})
    assert refused.status_code == 400
    assert traffic.asked(f"POST /registrations/{registration}/cancel") == []


def test_someone_elses_registration_is_not_found(
    apis: Apis, client: TestClient, world: World
) -> None:
    theirs = register(apis, new_educator()["headers"], world.upcoming["id"])["id"]
    sign_in(client)
    assert client.get(f"/me/registrations/{theirs}/cancel").status_code == 404


def test_spanish_wording(apis: Apis, client: TestClient, world: World) -> None:
    sign_in(client)
    _book(apis, client, world.upcoming)
    page = client.get("/me", headers={"Accept-Language": "es"})
    assert heading(page.text) == "Mis capacitaciones" and "Cancelar inscripción" in page.text
