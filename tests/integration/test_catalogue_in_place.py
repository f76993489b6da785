"""The catalogue's results alone for htmx (HX-Request), the whole page for everything else
(the portal in-process against the real APIs)."""

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.support.portal import portal_client
from tests.support.portal_world import new_affiliate, new_offering, new_program, tag
from tests.support.services import Apis

IN_PLACE = {"HX-Request": "true"}
OFFERINGS = 12


@dataclass(frozen=True)
class Searched:
    """Words found in the description of OFFERINGS published offerings, and nowhere else."""

    words: str

    @property
    def query(self) -> str:
        """The catalogue's address for the search."""
        return f"/?q={self.words}"


@pytest.fixture(scope="module")
def searched(apis: Apis) -> Searched:
    affiliate = new_affiliate(apis)["id"]
    program = new_program(apis)["code"]
    words = tag()
    for _ in range(OFFERINGS):
        new_offering(apis, affiliate, program, description=f"Mornings {words}")
    return Searched(words)


@pytest.fixture
def client(apis: Apis) -> Iterator[TestClient]:
    with portal_client() as client:
        yield client


def test_without_htmx_the_whole_page_comes(client: TestClient, searched: Searched) -> None:
    page = client.get(searched.query)
    assert page.status_code == 200 and page.headers["vary"] == "HX-Request"
    assert page.text.startswith("<!doctype html>") and "<form" in page.text
    assert '<div id="results">' in page.text
    assert '<p id="results-status" class="visually-hidden" role="status"></p>' in page.text
    assert 'hx-get="/" hx-target="#results" hx-push-url="true"' in page.text
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in page.text


def test_htmx_gets_only_the_results(client: TestClient, searched: Searched) -> None:
    part = client.get(searched.query, headers=IN_PLACE)
    assert part.status_code == 200 and part.headers["vary"] == "HX-Request"
    assert "<html" not in part.text and "<form" not in part.text and "<h1>" not in part.text
    assert part.text.count('<li class="card">') == 10
    assert (
        f'href="/?q={searched.words}&amp;after=' in part.text and 'rel="next">Next</a>' in part.text
    )
    assert f">{OFFERINGS} trainings found</h2>" in part.text
    # The count for screen readers, and the language links coming back to the new address.
    status = f'<p id="results-status" hx-swap-oob="innerHTML">{OFFERINGS} trainings found</p>'
    assert status in part.text
    assert 'id="languages" hx-swap-oob=true' in part.text
    assert "/language/es?next=" + quote(searched.query, safe="") in part.text
    assert part.headers["content-security-policy"].startswith("default-src 'self'")


def test_the_results_alone_read_in_the_visitors_language(
    client: TestClient, searched: Searched
) -> None:
    part = client.get(searched.query, headers={**IN_PLACE, "Accept-Language": "es"})
    assert f"{OFFERINGS} capacitaciones" in part.text and "<form" not in part.text
    assert "martes, 16 de marzo de 2027" in part.text and "Presencial" in part.text


def test_restoring_history_gets_the_whole_page(client: TestClient, searched: Searched) -> None:
    page = client.get(searched.query, headers={**IN_PLACE, "HX-History-Restore-Request": "true"})
    assert page.status_code == 200 and page.headers["vary"] == "HX-Request"
    assert page.text.startswith("<!doctype html>") and "<form" in page.text


def test_a_refused_search_is_the_whole_page_even_for_htmx(client: TestClient) -> None:
    page = client.get("/?state=Ohio", headers=IN_PLACE)
    assert page.status_code == 422 and page.headers["vary"] == "HX-Request"
    assert page.text.startswith("<!doctype html>") and "two letters" in page.text


def test_the_vendored_htmx_is_served(client: TestClient) -> None:
    script = client.get("/static/vendor/htmx/htmx.min.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    assert script.text.startswith("var htmx=function()")
    assert client.get("/static/portal.js").status_code == 200
