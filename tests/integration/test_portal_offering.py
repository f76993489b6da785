"""An offering's page and its Register button against the real registry, scheduler and accounts
(offerings reach the scheduler by their events, through real workers), and real Redis."""

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
    named_person,
    new_affiliate,
    new_offering,
    new_program,
    operator,
    seats,
)
from tests.support.services import Apis, eventually
from tests.support.tokens import bearer

Json = dict[str, Any]
CLOSES_IN = 2  # seconds: registration for the "closed" offering is open when it is published


@dataclass(frozen=True)
class World:
    """The offerings each test reads or registers for, by what is special about them."""

    affiliate: Json
    offerings: dict[str, Json]

    def id(self, name: str) -> int:
        """The registry's id of one of them."""
        return int(self.offerings[name]["id"])


@pytest.fixture(scope="module")
def world(apis: Apis) -> World:
    affiliate = new_affiliate(apis)
    code = new_program(apis)["code"]
    no_hours = new_program(apis, pd_hours=0.0)["code"]
    unlisted = new_program(apis, listed_publicly=False)["code"]
    virtual: dict[str, Any] = {
        "format": "virtual",
        "venue": None,
        "join_url": "https://meet.example.org/ib",
    }
    clash = [{"starts_at": "2027-05-04T09:00", "ends_at": "2027-05-04T12:00"}]
    closing = time.monotonic() + CLOSES_IN
    made = {
        "plain": new_offering(apis, affiliate["id"], code),
        "online": new_offering(apis, affiliate["id"], no_hours, **virtual),
        "full": new_offering(apis, affiliate["id"], code, capacity=1),
        "closed": new_offering(
            apis, affiliate["id"], code, registration_closes_at=local_in(ZONE, CLOSES_IN)
        ),
        "cancelled": new_offering(apis, affiliate["id"], code),
        "held": new_offering(apis, affiliate["id"], code, meetings=clash),
        "clash": new_offering(apis, affiliate["id"], code, meetings=clash),
        "unlisted": new_offering(apis, affiliate["id"], unlisted),
        "draft": new_offering(apis, affiliate["id"], code, publish=False),
    }
    known_to_scheduler(apis, *(made[name]["id"] for name in made if name != "draft"))
    cancelled = made["cancelled"]["id"]
    cancel = f"{apis.registry}/offerings/{cancelled}/cancel"
    assert httpx.post(cancel, json={"reason": "venue closed"}, headers=operator()).is_success
    eventually(lambda: cancelled not in seats(apis, cancelled), "offering.cancelled")
    fill(apis, made["full"]["id"], 3)
    time.sleep(max(0.0, closing - time.monotonic() + 1))
    return World(affiliate, made)


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def client(apis: Apis, traffic: Traffic) -> Iterator[TestClient]:
    with portal_client(traffic) as client:
        yield client


def _register(client: TestClient, offering_id: int) -> httpx.Response:
    page = client.get(f"/offerings/{offering_id}")
    fields = {"csrf": csrf_of(page.text)}
    return client.post(f"/offerings/{offering_id}/register", data=fields, follow_redirects=False)


def test_the_page_shows_the_details_and_meetings_in_the_offerings_zone(
    client: TestClient, traffic: Traffic, world: World
) -> None:
    offering_id = world.id("plain")
    page = client.get(f"/offerings/{offering_id}")
    assert page.status_code == 200 and heading(page.text) == "Implicit Bias in the Classroom"
    assert "Two mornings on recognising bias." in page.text
    assert "Tuesday, March 16, 2027</time>, 9:00\u202fAM\u201312:00\u202fPM" in page.text
    assert page.text.count("<h2>Meetings,") == 1
    assert "Central Library, 1 Main St, Peoria, IL" in page.text
    assert "<dt>PD hours</dt><dd>6</dd>" in page.text
    assert f'action="/offerings/{offering_id}/register"' in page.text
    assert ">Register</button>" in page.text
    assert traffic.asked("GET /registrations") == []


def test_an_online_offering_without_hours_says_so_in_spanish(
    client: TestClient, world: World
) -> None:
    page = client.get(f"/offerings/{world.id('online')}", headers={"Accept-Language": "es"})
    assert "<dd>\n    En línea\n  </dd>" in page.text and "Horas de DP" not in page.text
    assert ">Inscribirme</button>" in page.text
    assert "martes, 16 de marzo de 2027</time>, 9:00\u201312:00" in page.text


def test_a_reader_in_another_zone_also_sees_the_meetings_in_theirs(
    apis: Apis, client: TestClient, world: World
) -> None:
    email = new_email()
    named_person(apis, "Ana Ruiz", email, timezone="Europe/Madrid")
    sign_in(client, email)
    page = client.get(f"/offerings/{world.id('plain')}")
    assert page.text.count("<h2>Meetings,") == 2
    assert "Tuesday, March 16, 2027</time>, 3:00\u202fPM\u20136:00\u202fPM" in page.text


def test_register_signed_out_leads_to_sign_in_and_back_here(
    client: TestClient, traffic: Traffic, world: World
) -> None:
    here = f"/offerings/{world.id('plain')}"
    asked = _register(client, world.id("plain"))
    assert asked.status_code == 303
    assert asked.headers["location"] == f"/sign-in?next=%2Fofferings%2F{world.id('plain')}"
    assert traffic.asked("POST /registrations") == []
    form = client.get(asked.headers["location"])
    assert f'name="next" value="{here}"' in form.text
    assert sign_in(client, next_page=here).headers["location"] == here


def test_register_signed_in_books_with_the_persons_token_and_says_so(
    client: TestClient, traffic: Traffic, world: World
) -> None:
    offering_id = world.id("plain")
    sign_in(client)
    token = stored_session(client)["access_token"]
    done = _register(client, offering_id)
    assert done.status_code == 303 and done.headers["location"] == f"/offerings/{offering_id}"
    (booked,) = traffic.asked("POST /registrations")
    assert booked.headers["Authorization"] == f"Bearer {token}"
    assert traffic.body("POST /registrations") == {"offering_id": offering_id}
    page = client.get(f"/offerings/{offering_id}")
    assert "You&#39;re registered." in page.text and ">Register</button>" not in page.text
    assert traffic.asked("GET /registrations")[-1].url.params["offering_id"] == str(offering_id)


def test_a_waitlisted_person_reads_their_place(client: TestClient, world: World) -> None:
    sign_in(client)
    assert _register(client, world.id("full")).status_code == 303
    page = client.get(f"/offerings/{world.id('full')}", headers={"Accept-Language": "es"})
    assert "Eres el número 3 de la lista de espera." in page.text


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("closed", "Registration for this training has closed."),
        ("cancelled", "This training has been cancelled."),
        ("clash", "Its meetings overlap"),
    ],
)
def test_a_refused_registration_says_why_and_changes_nothing(
    apis: Apis, client: TestClient, world: World, which: str, message: str
) -> None:
    sign_in(client)
    if which == "clash":
        assert _register(client, world.id("held")).status_code == 303
    page = _register(client, world.id(which))
    assert page.status_code == 409 and message in page.text
    assert 'role="alert"' in page.text
    # The button stays while the offering is published; a cancelled one has none to offer.
    assert (">Register</button>" in page.text) is (which != "cancelled")
    token = stored_session(client)["access_token"]
    mine = httpx.get(
        f"{apis.scheduler}/registrations",
        params={"offering_id": world.id(which)},
        headers=bearer(token),
    )
    assert mine.status_code == 200 and mine.json()["items"] == []


def test_a_register_post_without_the_csrf_token_does_nothing(
    client: TestClient, traffic: Traffic, world: World
) -> None:
    sign_in(client)
    refused = client.post(f"/offerings/{world.id('plain')}/register", data={"csrf": "forged"})
    assert refused.status_code == 400 and traffic.asked("POST /registrations") == []


def test_an_offering_the_registry_does_not_show_is_not_found(
    apis: Apis, client: TestClient, world: World
) -> None:
    unknown = world.id("draft") + 10_000_000
    assert httpx.get(f"{apis.registry}/offerings/{unknown}").status_code == 404
    assert client.get(f"/offerings/{unknown}").status_code == 404
    assert client.get(f"/offerings/{world.id('draft')}").status_code == 404


def test_a_token_the_scheduler_refuses_signs_the_browser_out_and_asks_again(
    apis: Apis, client: TestClient, world: World
) -> None:
    sign_in(client)
    stored = stored_session(client)
    ended = httpx.post(f"{apis.accounts}/sign-out", headers=bearer(stored["session_token"]))
    assert ended.status_code == 204
    # `access.revoked` reaches the scheduler through its worker; from then on it refuses the token.
    mine = f"{apis.scheduler}/registrations"
    eventually(
        lambda: httpx.get(mine, headers=bearer(stored["access_token"])).status_code == 401,
        "the scheduler refusing a revoked token",
    )
    asked = _register(client, world.id("plain"))
    assert asked.headers["location"] == f"/sign-in?next=%2Fofferings%2F{world.id('plain')}"
    assert ">Sign in</a>" in client.get(f"/offerings/{world.id('plain')}").text


def test_an_offering_only_signed_in_people_see_is_read_with_their_token(
    client: TestClient, world: World
) -> None:
    path = f"/offerings/{world.id('unlisted')}"
    assert client.get(path).status_code == 404
    sign_in(client)
    page = client.get(path)
    assert page.status_code == 200 and heading(page.text) == "Implicit Bias in the Classroom"


def test_a_draft_the_registry_shows_its_own_staff_is_no_page(
    apis: Apis, client: TestClient, world: World
) -> None:
    email = new_email("editor")
    member = {"name": "Ed Itor", "email": email, "member_role": "editor"}
    members = f"{apis.accounts}/affiliates/{world.affiliate['id']}/members"
    assert httpx.post(members, json=member, headers=operator()).status_code == 201
    sign_in(client, email)
    token = stored_session(client)["access_token"]
    path = f"/offerings/{world.id('draft')}"
    shown = httpx.get(f"{apis.registry}{path}", headers=bearer(token))
    assert shown.status_code == 200 and shown.json()["status"] == "draft"
    assert client.get(path).status_code == 404
