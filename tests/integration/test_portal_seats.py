"""Seats left on the catalogue's cards and the offering page, in English and Spanish, from the
real scheduler (seats taken by real registrations); a scheduler that does not answer, or answers
with an error, leaves the figure out."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import Traffic, portal_client
from tests.support.portal_world import (
    fill,
    known_to_scheduler,
    new_affiliate,
    new_offering,
    new_program,
    seats,
)
from tests.support.services import Apis, closed_port_url, paused, without_its_database

# (capacity, people registered) of each offering: what the cards then say follows in the tests.
TAKEN = {"one left": (1, 0), "twelve left": (12, 0), "one waiting": (1, 2)}
TAKEN |= {"five waiting": (1, 6), "just full": (1, 1)}


@dataclass(frozen=True)
class Shelf:
    """The program whose offerings the tests look at, and each offering's id by its seats."""

    code: str
    ids: dict[str, int]


@pytest.fixture(scope="module")
def shelf(apis: Apis) -> Iterator[Shelf]:
    affiliate = new_affiliate(apis)["id"]
    code = new_program(apis)["code"]
    ids = {
        name: new_offering(apis, affiliate, code, capacity=capacity)["id"]
        for name, (capacity, _) in TAKEN.items()
    }
    known_to_scheduler(apis, *ids.values())
    for name, (_, people) in TAKEN.items():
        fill(apis, ids[name], people)
    # Published while the scheduler's worker is held up: the scheduler has not heard of it yet.
    with paused(apis.workers["scheduler"]):
        ids["unheard of"] = new_offering(apis, affiliate, code)["id"]
        yield Shelf(code, ids)


@pytest.fixture(scope="module")
def failing_scheduler(
    apis: Apis, test_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    with without_its_database("scheduler", test_env, tmp_path_factory.mktemp("gone")) as url:
        answer = httpx.get(f"{url}/availability", params={"offering_id": "1"})
        assert answer.status_code == 503, answer.text
        yield url


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def client(apis: Apis, traffic: Traffic) -> Iterator[TestClient]:
    with portal_client(traffic) as client:
        yield client


def _seats_by_card(html: str, shelf: Shelf) -> dict[str, str | None]:
    cards = re.findall(r'<li class="card">(.*?)</li>', html, re.S)
    names = {id_: name for name, id_ in shelf.ids.items()}
    found: dict[str, str | None] = {}
    for card in cards:
        offering_id = int(re.search(r'href="/offerings/(\d+)"', card).group(1))  # type: ignore[union-attr]
        seats_left = re.search(r'<dd class="seats">(.*?)</dd>', card, re.S)
        found[names[offering_id]] = seats_left.group(1).strip() if seats_left else None
    return found


def test_each_card_says_the_seats_left_or_the_waitlist(client: TestClient, shelf: Shelf) -> None:
    page = client.get(f"/?program={shelf.code}")
    assert page.status_code == 200
    assert _seats_by_card(page.text, shelf) == {
        "one left": "1 seat left",
        "twelve left": "12 seats left",
        "one waiting": "Full — 1 on the waitlist",
        "five waiting": "Full — 5 on the waitlist",
        "just full": "Full",
        "unheard of": None,  # no figure rather than a wrong one
    }


def test_the_cards_say_it_in_spanish_with_its_plurals(client: TestClient, shelf: Shelf) -> None:
    page = client.get(f"/?program={shelf.code}", headers={"Accept-Language": "es"})
    assert _seats_by_card(page.text, shelf) == {
        "one left": "Queda 1 plaza",
        "twelve left": "Quedan 12 plazas",
        "one waiting": "Completa: 1 persona en la lista de espera",
        "five waiting": "Completa: 5 personas en la lista de espera",
        "just full": "Completa",
        "unheard of": None,
    }


def test_one_call_asks_for_the_whole_page(
    apis: Apis, client: TestClient, traffic: Traffic, shelf: Shelf
) -> None:
    client.get(f"/?program={shelf.code}")
    calls = traffic.asked("GET /availability")
    assert len(calls) == 1
    assert calls[0].url.params.get_list("offering_id") == [str(id_) for id_ in shelf.ids.values()]
    assert "authorization" not in calls[0].headers
    assert shelf.ids["unheard of"] not in seats(apis, *shelf.ids.values())


def test_an_empty_page_asks_the_scheduler_nothing(
    client: TestClient, traffic: Traffic, shelf: Shelf
) -> None:
    page = client.get(f"/?program={shelf.code}&state=OH")
    assert page.status_code == 200 and '<li class="card">' not in page.text
    assert traffic.asked("GET /availability") == []


@pytest.mark.parametrize("outage", ["down", "error"])
def test_the_cards_render_without_the_figure_when_the_scheduler_fails(
    request: pytest.FixtureRequest, shelf: Shelf, outage: str
) -> None:
    scheduler = (
        closed_port_url() if outage == "down" else request.getfixturevalue("failing_scheduler")
    )
    with portal_client(scheduler=scheduler) as client:
        page = client.get(f"/?program={shelf.code}")
    assert page.status_code == 200
    cards = _seats_by_card(page.text, shelf)
    assert set(cards) == set(shelf.ids) and set(cards.values()) == {None}


def test_the_offering_page_says_it_too(client: TestClient, traffic: Traffic, shelf: Shelf) -> None:
    offering_id = shelf.ids["five waiting"]
    page = client.get(f"/offerings/{offering_id}")
    assert page.status_code == 200
    assert '<dd class="seats">Full — 5 on the waitlist</dd>' in page.text
    assert traffic.asked("GET /availability")[0].url.params.get_list("offering_id") == [
        str(offering_id)
    ]
    spanish = client.get(f"/offerings/{offering_id}", headers={"Accept-Language": "es"})
    assert '<dd class="seats">Completa: 5 personas en la lista de espera</dd>' in spanish.text


def test_the_offering_page_shows_without_the_figure_when_the_scheduler_fails(
    failing_scheduler: str, shelf: Shelf
) -> None:
    with portal_client(scheduler=failing_scheduler) as client:
        page = client.get(f"/offerings/{shelf.ids['five waiting']}")
    assert page.status_code == 200 and 'class="seats"' not in page.text
