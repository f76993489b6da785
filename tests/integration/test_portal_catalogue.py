"""The catalogue at `/` against the real registry (and the other real APIs, and Redis): cards,
search, keyset pages, and what is shown to whom."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.portal import Traffic, heading, new_email, portal_client, sign_in
from tests.support.portal_world import (
    named_person,
    new_affiliate,
    new_offering,
    new_program,
    tag,
)
from tests.support.services import Apis

PAGED = 21  # offerings of the paging program: two full pages of ten, and one more


@dataclass(frozen=True)
class Catalogue:
    """One affiliate's offerings: one of a listed program, many of another, one unlisted."""

    program: dict[str, Any]
    offering: dict[str, Any]
    paged_program: dict[str, Any]
    quiet: dict[str, Any]
    tag: str


@pytest.fixture(scope="module")
def catalogue(apis: Apis) -> Catalogue:
    affiliate = new_affiliate(apis)["id"]
    program = new_program(apis)
    offering = new_offering(apis, affiliate, program["code"])
    paged = new_program(apis, "Paging")
    mark = tag()
    for day in range(PAGED):
        meeting = {
            "starts_at": f"2027-04-{day + 1:02d}T09:00",
            "ends_at": f"2027-04-{day + 1:02d}T10:00",
        }
        new_offering(apis, affiliate, paged["code"], meetings=[meeting], description=mark)
    unlisted = new_program(apis, "Crisis Support", listed_publicly=False)
    quiet = new_offering(
        apis, affiliate, unlisted["code"], title="Support after a crisis", description=mark
    )
    return Catalogue(program, offering, paged, quiet, mark)


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def client(apis: Apis, traffic: Traffic) -> Iterator[TestClient]:
    with portal_client(traffic) as client:
        yield client


def _registry_page(apis: Apis, **params: str) -> dict[str, Any]:
    """The page the registry gives an anonymous reader for a search."""
    answer = httpx.get(
        f"{apis.registry}/offerings", params={"limit": "10", "status": "published", **params}
    )
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


def test_the_catalogue_shows_each_offering_as_a_card(
    client: TestClient, catalogue: Catalogue
) -> None:
    page = client.get(f"/?program={catalogue.program['code']}")
    assert page.status_code == 200 and heading(page.text) == "Trainings"
    link = f'<a href="/offerings/{catalogue.offering["id"]}">Implicit Bias in the Classroom</a>'
    assert page.text.count('<li class="card">') == 1 and link in page.text
    assert catalogue.offering["affiliate_name"] in page.text
    assert "Tuesday, March 16, 2027" in page.text and "In person" in page.text
    code = catalogue.program["code"]
    assert f'<option value="{code}" selected>Implicit Bias</option>' in page.text


def test_the_card_reads_in_spanish(client: TestClient, catalogue: Catalogue) -> None:
    page = client.get(f"/?program={catalogue.program['code']}", headers={"Accept-Language": "es"})
    assert heading(page.text) == "Capacitaciones"
    assert "martes, 16 de marzo de 2027" in page.text and "Presencial" in page.text


def test_the_search_form_becomes_the_registry_filters(
    client: TestClient, traffic: Traffic, catalogue: Catalogue
) -> None:
    code = catalogue.program["code"]
    query = f"q=bias+classroom&program={code}&state=il&format=virtual&from=2027-03-01&to=2027-03-31"
    page = client.get(f"/?{query}")
    assert page.status_code == 200
    asked = traffic.asked("GET /offerings")[-1].url.params
    assert dict(asked) == {
        "q": "bias classroom",
        "program": code,
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
    # The registry applied them: the offering is in person, so a virtual search finds nothing.
    assert '<li class="card">' not in page.text


def test_dates_are_read_in_the_signed_in_persons_zone(
    apis: Apis, client: TestClient, traffic: Traffic, catalogue: Catalogue
) -> None:
    email = new_email()
    named_person(apis, "Ana Ruiz", email, timezone="America/Chicago")
    sign_in(client, email)
    page = client.get("/?from=2027-03-01")
    asked = traffic.asked("GET /offerings")[-1].url.params
    assert asked["starts_after"] == "2027-03-01T00:00:00-06:00"
    assert "You are signed in as Ana Ruiz" in page.text and 'href="/me"' in page.text


def test_a_wrong_field_is_tied_to_its_error_and_nothing_is_searched(
    client: TestClient, traffic: Traffic
) -> None:
    page = client.get("/?state=Ohio&from=tomorrow")
    assert page.status_code == 422
    assert 'id="state-error"' in page.text and 'id="from-error"' in page.text
    assert 'aria-describedby="state-hint state-error" aria-invalid="true"' in page.text
    assert traffic.asked("GET /offerings") == []


def test_next_carries_the_registrys_cursor_and_previous_the_trail(
    apis: Apis, client: TestClient, traffic: Traffic, catalogue: Catalogue
) -> None:
    code = catalogue.paged_program["code"]
    second_cursor = _registry_page(apis, program=code)["next_cursor"]
    third_cursor = _registry_page(apis, program=code, cursor=second_cursor)["next_cursor"]
    assert second_cursor and third_cursor
    first = client.get(f"/?program={code}")
    assert "cursor" not in traffic.asked("GET /offerings")[-1].url.params
    assert first.text.count('<li class="card">') == 10
    assert f'href="/?program={code}&amp;after={second_cursor}" rel="next">Next</a>' in first.text
    assert 'rel="prev"' not in first.text
    second = client.get(f"/?program={code}&after={second_cursor}")
    assert traffic.asked("GET /offerings")[-1].url.params["cursor"] == second_cursor
    assert f'href="/?program={code}" rel="prev">Previous</a>' in second.text
    trail = f"{second_cursor}.{third_cursor}"
    assert f'href="/?program={code}&amp;after={trail}" rel="next">Next</a>' in second.text
    last = client.get(f"/?program={code}&after={trail}")
    assert traffic.asked("GET /offerings")[-1].url.params["cursor"] == third_cursor
    assert last.text.count('<li class="card">') == PAGED - 20
    assert f'href="/?program={code}&amp;after={second_cursor}" rel="prev">Previous</a>' in last.text
    assert 'rel="next"' not in last.text


def test_an_old_offset_address_still_pages(
    apis: Apis, client: TestClient, traffic: Traffic, catalogue: Catalogue
) -> None:
    code = catalogue.paged_program["code"]
    after_it = _registry_page(apis, program=code, offset="10")["next_cursor"]
    page = client.get(f"/?program={code}&offset=10")
    assert traffic.asked("GET /offerings")[-1].url.params["offset"] == "10"
    assert f'href="/?program={code}" rel="prev">Previous</a>' in page.text
    assert f'href="/?program={code}&amp;after={after_it}" rel="next">Next</a>' in page.text


def test_a_refused_cursor_shows_the_first_page(
    apis: Apis, client: TestClient, traffic: Traffic, catalogue: Catalogue
) -> None:
    code = catalogue.program["code"]
    # A real cursor, but of another search: the registry refuses it for this one.
    foreign = _registry_page(apis, program=catalogue.paged_program["code"])["next_cursor"]
    refused = httpx.get(f"{apis.registry}/offerings", params={"program": code, "cursor": foreign})
    assert refused.status_code == 422
    page = client.get(f"/?program={code}&after={foreign}")
    assert page.status_code == 200
    assert [r.url.params.get("cursor") for r in traffic.asked("GET /offerings")] == [foreign, None]
    assert "Implicit Bias in the Classroom" in page.text and 'rel="prev"' not in page.text
    garbled = client.get(f"/?program={code}&after=not%20a%20cursor")
    assert garbled.status_code == 200
    assert "cursor" not in traffic.asked("GET /offerings")[-1].url.params


def test_the_anonymous_catalogue_is_asked_without_a_token(
    client: TestClient, traffic: Traffic
) -> None:
    client.get("/")
    for route in ("GET /offerings", "GET /programs"):
        assert "authorization" not in traffic.asked(route)[-1].headers


def test_a_signed_in_person_asks_with_their_token_and_sees_unlisted_programs(
    client: TestClient, traffic: Traffic, catalogue: Catalogue
) -> None:
    search = f"/?q={catalogue.tag}"
    link = f'<a href="/offerings/{catalogue.quiet["id"]}">Support after a crisis</a>'
    anonymous = client.get(search)
    assert "Support after a crisis" not in anonymous.text
    assert '<li class="card">' in anonymous.text
    sign_in(client)
    page = client.get(search)
    assert link in page.text
    for route in ("GET /offerings", "GET /programs"):
        assert traffic.asked(route)[-1].headers["authorization"].startswith("Bearer ")


def test_programs_are_kept_a_while_offerings_never(client: TestClient, traffic: Traffic) -> None:
    client.get("/")
    client.get("/?state=OH")
    assert len(traffic.asked("GET /programs")) == 1
    assert len(traffic.asked("GET /offerings")) == 2
