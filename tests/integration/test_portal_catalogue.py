"""The catalogue at `/` against real Redis, with the registry faked: cards, search, pages."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.portal import (
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


def test_pages_link_to_the_previous_and_next_ones(client: TestClient, fake: FakeAccounts) -> None:
    fake.answers["GET /offerings"] = page_of(offering(), total=25)
    page = client.get("/?q=bias&offset=10")
    assert fake.asked("GET /offerings")[-1].url.params["offset"] == "10"
    assert 'href="/?q=bias&amp;offset=0" rel="prev">Previous</a>' in page.text
    assert 'href="/?q=bias&amp;offset=20" rel="next">Next</a>' in page.text
    last = client.get("/?q=bias&offset=20")
    assert "Previous" in last.text and 'rel="next"' not in last.text
