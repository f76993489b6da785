"""Seats left on the catalogue's cards and the offering page, in English and Spanish, against
real Redis with the APIs faked; a scheduler that does not answer leaves the figure out."""

import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import FakeAccounts, offering, page_of, portal_client

SEATS = {41: (1, 0), 42: (12, 0), 43: (0, 1), 44: (0, 5), 45: (0, 0)}


def _availability(request: httpx.Request) -> httpx.Response:
    asked = [int(value) for value in request.url.params.get_list("offering_id")]
    items = [
        {"offering_id": id_, "seats_left": SEATS[id_][0], "waitlist_length": SEATS[id_][1]}
        for id_ in asked
        if id_ in SEATS
    ]
    return httpx.Response(200, json={"items": items})


@pytest.fixture
def fake() -> FakeAccounts:
    fake = FakeAccounts()
    fake.answers["GET /offerings"] = page_of(*(offering(id_) for id_ in (*SEATS, 46)))
    fake.answers["GET /offerings/44"] = lambda _: httpx.Response(200, json=offering(44))
    fake.answers["GET /availability"] = _availability
    return fake


@pytest.fixture
def client(fake: FakeAccounts) -> Iterator[TestClient]:
    with portal_client(fake) as client:
        yield client


def _seats_by_card(html: str) -> dict[int, str | None]:
    cards = re.findall(r'<li class="card">(.*?)</li>', html, re.S)
    found: dict[int, str | None] = {}
    for card in cards:
        offering_id = int(re.search(r'href="/offerings/(\d+)"', card).group(1))  # type: ignore[union-attr]
        seats = re.search(r'<dd class="seats">(.*?)</dd>', card, re.S)
        found[offering_id] = seats.group(1).strip() if seats else None
    return found


def test_each_card_says_the_seats_left_or_the_waitlist(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert _seats_by_card(page.text) == {
        41: "1 seat left",
        42: "12 seats left",
        43: "Full — 1 on the waitlist",
        44: "Full — 5 on the waitlist",
        45: "Full",
        46: None,  # the scheduler does not know it: no figure rather than a wrong one
    }


def test_the_cards_say_it_in_spanish_with_its_plurals(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "es"})
    assert _seats_by_card(page.text) == {
        41: "Queda 1 plaza",
        42: "Quedan 12 plazas",
        43: "Completa: 1 persona en la lista de espera",
        44: "Completa: 5 personas en la lista de espera",
        45: "Completa",
        46: None,
    }


def test_one_call_asks_for_the_whole_page(client: TestClient, fake: FakeAccounts) -> None:
    client.get("/")
    calls = fake.asked("GET /availability")
    assert len(calls) == 1
    assert calls[0].url.params.get_list("offering_id") == ["41", "42", "43", "44", "45", "46"]
    assert "authorization" not in calls[0].headers


def test_an_empty_page_asks_the_scheduler_nothing(client: TestClient, fake: FakeAccounts) -> None:
    fake.answers["GET /offerings"] = page_of()
    assert client.get("/").status_code == 200
    assert fake.asked("GET /availability") == []


@pytest.mark.parametrize("outage", ["down", "error"])
def test_the_cards_render_without_the_figure_when_the_scheduler_fails(
    client: TestClient, fake: FakeAccounts, outage: str
) -> None:
    def failing(request: httpx.Request) -> httpx.Response:
        if outage == "down":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(503, json={"detail": "unavailable"})

    fake.answers["GET /availability"] = failing
    page = client.get("/")
    assert page.status_code == 200
    assert set(_seats_by_card(page.text).values()) == {None}


def test_the_offering_page_says_it_too(client: TestClient, fake: FakeAccounts) -> None:
    page = client.get("/offerings/44")
    assert page.status_code == 200
    assert '<dd class="seats">Full — 5 on the waitlist</dd>' in page.text
    assert fake.asked("GET /availability")[0].url.params.get_list("offering_id") == ["44"]
    spanish = client.get("/offerings/44", headers={"Accept-Language": "es"})
    assert '<dd class="seats">Completa: 5 personas en la lista de espera</dd>' in spanish.text


def test_the_offering_page_shows_without_the_figure_when_the_scheduler_is_down(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /availability"] = lambda _: httpx.Response(500)
    page = client.get("/offerings/44")
    assert page.status_code == 200 and 'class="seats"' not in page.text
