"""The catalogue at `/` against real Redis, with the registry faked: cards, search, pages."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import (
    Answer,
    FakeAccounts,
    heading,
    me_in,
    offering,
    page_of,
    portal_client,
    sign_in,
)


@pytest.fixture
def fake() -> FakeAccounts:
    fake = FakeAccounts()
    fake.answers["GET /offerings"] = page_of(offering())
    fake.answers["GET /programs"] = page_of({"code": "implicit-bias", "title": "Implicit Bias"})
    return fake


@pytest.fixture
def client(fake: FakeAccounts) -> Iterator[TestClient]:
    with portal_client(fake) as client:
        yield client


def test_the_catalogue_shows_each_offering_as_a_card(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and heading(page.text) == "Trainings"
    assert '<a href="/offerings/41">Implicit Bias in the Classroom</a>' in page.text
    assert "Illinois Education Association" in page.text
    assert "Tuesday, March 16, 2027" in page.text and "In person" in page.text
    assert '<option value="implicit-bias">Implicit Bias</option>' in page.text


def test_the_card_reads_in_spanish(client: TestClient) -> None:
    page = client.get("/", headers={"Accept-Language": "es"})
    assert heading(page.text) == "Capacitaciones"
    assert "martes, 16 de marzo de 2027" in page.text and "Presencial" in page.text


def test_the_search_form_becomes_the_registry_filters(
    client: TestClient, fake: FakeAccounts
) -> None:
    query = (
        "q=bias+classroom&program=implicit-bias&state=il&format=virtual"
        "&from=2027-03-01&to=2027-03-31"
    )
    page = client.get(f"/?{query}")
    assert page.status_code == 200
    asked = fake.asked("GET /offerings")[-1].url.params
    assert dict(asked) == {
        "q": "bias classroom",
        "program": "implicit-bias",
        "state": "IL",
        "format": "virtual",
        "starts_after": "2027-03-01T00:00:00+00:00",
        "starts_before": "2027-04-01T00:00:00+00:00",
        "limit": "10",
        "offset": "0",
        "status": "published",
    }
    assert 'value="bias classroom"' in page.text
    assert '<option value="virtual" selected>' in page.text


def test_dates_are_read_in_the_signed_in_persons_zone(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /me"] = me_in("America/Chicago")
    sign_in(client)
    page = client.get("/?from=2027-03-01")
    assert (
        fake.asked("GET /offerings")[-1].url.params["starts_after"] == "2027-03-01T00:00:00-06:00"
    )
    assert "You are signed in as Ana Ruiz" in page.text and 'href="/me"' in page.text


def test_a_wrong_field_is_tied_to_its_error_and_nothing_is_searched(
    client: TestClient, fake: FakeAccounts
) -> None:
    page = client.get("/?state=Ohio&from=tomorrow")
    assert page.status_code == 422
    assert 'id="state-error"' in page.text and 'id="from-error"' in page.text
    assert 'aria-describedby="state-hint state-error" aria-invalid="true"' in page.text
    assert fake.asked("GET /offerings") == []


def _answer(total: int, next_cursor: str | None) -> Answer:
    body = {"items": [offering()], "total": total, "next_cursor": next_cursor}
    return lambda _: httpx.Response(200, json=body)


def test_next_carries_the_registrys_cursor_and_previous_the_trail(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /offerings"] = _answer(35, "c2")
    first = client.get("/?q=bias")
    assert "cursor" not in fake.asked("GET /offerings")[-1].url.params
    assert 'href="/?q=bias&amp;after=c2" rel="next">Next</a>' in first.text
    assert 'rel="prev"' not in first.text
    fake.answers["GET /offerings"] = _answer(35, "c3")
    second = client.get("/?q=bias&after=c2")
    assert fake.asked("GET /offerings")[-1].url.params["cursor"] == "c2"
    assert 'href="/?q=bias" rel="prev">Previous</a>' in second.text
    assert 'href="/?q=bias&amp;after=c2.c3" rel="next">Next</a>' in second.text
    fake.answers["GET /offerings"] = _answer(35, None)
    last = client.get("/?q=bias&after=c2.c3")
    assert fake.asked("GET /offerings")[-1].url.params["cursor"] == "c3"
    assert 'href="/?q=bias&amp;after=c2" rel="prev">Previous</a>' in last.text
    assert 'rel="next"' not in last.text


def test_an_old_offset_address_still_pages(client: TestClient, fake: FakeAccounts) -> None:
    fake.answers["GET /offerings"] = _answer(25, "c3")
    page = client.get("/?q=bias&offset=10")
    assert fake.asked("GET /offerings")[-1].url.params["offset"] == "10"
    assert 'href="/?q=bias" rel="prev">Previous</a>' in page.text
    assert 'href="/?q=bias&amp;after=c3" rel="next">Next</a>' in page.text


def test_a_refused_cursor_shows_the_first_page(client: TestClient, fake: FakeAccounts) -> None:
    def registry(request: httpx.Request) -> httpx.Response:
        if "cursor" in request.url.params:
            return httpx.Response(422, json={"detail": [{"loc": ["query", "cursor"]}]})
        return httpx.Response(200, json={"items": [offering()], "total": 1, "next_cursor": None})

    fake.answers["GET /offerings"] = registry
    page = client.get("/?after=edited")
    assert page.status_code == 200
    assert "Implicit Bias in the Classroom" in page.text and 'rel="prev"' not in page.text
    garbled = client.get("/?after=not%20a%20cursor")
    assert garbled.status_code == 200
    assert "cursor" not in fake.asked("GET /offerings")[-1].url.params


def test_the_anonymous_catalogue_is_asked_without_a_token(
    client: TestClient, fake: FakeAccounts
) -> None:
    client.get("/")
    for route in ("GET /offerings", "GET /programs"):
        assert "authorization" not in fake.asked(route)[-1].headers


def test_a_signed_in_person_asks_with_their_token_and_sees_unlisted_programs(
    client: TestClient, fake: FakeAccounts
) -> None:
    quiet = offering(77, title="Support after a crisis", program_title="Crisis Support")

    def registry(request: httpx.Request) -> httpx.Response:
        shown = [offering()] + ([quiet] if "authorization" in request.headers else [])
        return httpx.Response(200, json={"items": shown, "total": len(shown), "next_cursor": None})

    fake.answers["GET /offerings"] = registry
    assert "Support after a crisis" not in client.get("/").text
    sign_in(client)
    page = client.get("/")
    assert '<a href="/offerings/77">Support after a crisis</a>' in page.text
    for route in ("GET /offerings", "GET /programs"):
        assert fake.asked(route)[-1].headers["authorization"].startswith("Bearer ")


def test_programs_are_kept_a_while_offerings_never(client: TestClient, fake: FakeAccounts) -> None:
    client.get("/")
    client.get("/?state=OH")
    assert len(fake.asked("GET /programs")) == 1
    assert len(fake.asked("GET /offerings")) == 2
