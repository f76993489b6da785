"""My profile and erasing one's account, the portal against the real APIs (and real Redis):
what is saved, the field errors tied to their fields, the language switch, erasure."""

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from services.accounts.database import runtime
from services.accounts.models import Person
from shared.erasure import erased_email
from tests.support.portal import csrf_of, heading, portal_client, sign_in
from tests.support.services import Apis


@pytest.fixture
def client(apis: Apis) -> Iterator[TestClient]:
    with portal_client() as client:
        yield client


@pytest.fixture
def email(client: TestClient) -> str:
    """A new person, signed in on `client`."""
    address = f"profile.{uuid.uuid4().hex[:10]}@schools.example.org"
    assert sign_in(client, address).status_code == 303
    return address


def _person(email: str) -> Person:
    with Session(runtime.engine()) as session:
        person = session.exec(select(Person).where(Person.email == email)).first()
    assert person is not None
    return person


def _save(client: TestClient, **fields: str) -> tuple[int, str]:
    page = client.get("/me/profile")
    answer = client.post(
        "/me/profile", data={"csrf": csrf_of(page.text), **fields}, follow_redirects=False
    )
    return answer.status_code, answer.text


def _field(html: str, name: str) -> str:
    found = re.search(rf'<(?:input|select) id="{name}"[^>]*>', html)
    assert found, f"no field {name}"
    return found.group(0)


def test_signed_out_the_profile_asks_to_sign_in_first(client: TestClient) -> None:
    answer = client.get("/me/profile", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fme%2Fprofile"
    assert client.get("/me/erase", follow_redirects=False).status_code == 303


def test_the_profile_shows_what_accounts_knows(client: TestClient, email: str) -> None:
    page = client.get("/me/profile")
    assert page.status_code == 200 and heading(page.text) == "My profile"
    assert '<a href="/me/profile">My profile</a>' in page.text
    assert '<label for="timezone">Time zone</label>' in page.text
    assert 'aria-describedby="timezone-hint"' in _field(page.text, "timezone")
    zones = re.findall(r'<option value="([^"]*)"', page.text)
    assert zones[:4] == ["", "America/New_York", "America/Chicago", "America/Denver"]
    assert "Europe/Madrid" in zones and len(zones) > 400
    assert '<option value="en" lang="en" selected>English</option>' in page.text


def test_saving_changes_accounts_and_switches_the_language(client: TestClient, email: str) -> None:
    status, _ = _save(client, name="Ana Ruiz", timezone="America/Chicago", locale="es")
    assert status == 303
    person = _person(email)
    assert (person.name, person.timezone, person.locale) == ("Ana Ruiz", "America/Chicago", "es")
    page = client.get("/me/profile?done=saved")
    assert heading(page.text) == "Mi perfil" and '<html lang="es">' in page.text
    assert "Tu perfil está guardado." in page.text
    assert "Sesión iniciada como Ana Ruiz" in page.text
    assert '<option value="America/Chicago" selected>' in page.text
    assert client.cookies.get("cohort_lang") == "es"


@pytest.mark.parametrize(
    ("typed", "field"),
    [
        ({"name": "   ", "timezone": "America/Denver", "locale": "en"}, "name"),
        ({"name": "x" * 201, "timezone": "America/Denver", "locale": "en"}, "name"),
        # Only accounts knows this rule here: its 422 is read and tied to the field.
        ({"name": "Ana\u0007Ruiz", "timezone": "America/Denver", "locale": "en"}, "name"),
        ({"name": "Ana Ruiz", "timezone": "Mars/Olympus_Mons", "locale": "en"}, "timezone"),
        ({"name": "Ana Ruiz", "timezone": "America/Denver", "locale": "fr"}, "locale"),
    ],
)
def test_a_wrong_field_is_shown_next_to_it_as_typed_and_nothing_is_saved(
    client: TestClient, email: str, typed: dict[str, str], field: str
) -> None:
    status, html = _save(client, **typed)
    assert status == 422
    tag = _field(html, field)
    assert 'aria-invalid="true"' in tag and f"{field}-error" in tag
    assert f'<p class="error" id="{field}-error">' in html
    assert 'role="alert"' in html and html.count('aria-invalid="true"') == 1
    if field != "name":
        assert f'value="{typed["name"]}"' in html
    assert f'<option value="{typed["timezone"]}" selected>' in html
    person = _person(email)
    assert (person.name, person.timezone, person.locale) == (None, None, "en")


def test_opening_the_erase_page_erases_nothing(client: TestClient, email: str) -> None:
    page = client.get("/me/erase")
    assert page.status_code == 200 and heading(page.text) == "Erase my account"
    assert "name and email address" in page.text
    assert _person(email).email == email
    refused = client.post("/me/erase", data={"csrf": "forged"}, follow_redirects=False)
    assert refused.status_code == 400
    assert _person(email).email == email


def test_erasing_the_account_signs_the_browser_out(client: TestClient, email: str) -> None:
    person_id = _person(email).id
    page = client.get("/me/erase")
    answer = client.post("/me/erase", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/account-erased"
    assert "cohort_session" not in client.cookies
    done = client.get("/account-erased")
    assert heading(done.text) == "Your account is erased"
    with Session(runtime.engine()) as session:
        erased = session.get(Person, person_id)
    assert erased is not None and erased.email == erased_email(person_id or 0)
    assert client.get("/me/profile", follow_redirects=False).status_code == 303
