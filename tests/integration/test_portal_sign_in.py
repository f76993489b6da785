"""The portal's sign-in pages against real Redis, with accounts faked: what it sends and keeps."""

from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from services.portal import sessions
from tests.support.portal import FakeAccounts, csrf_of, expires_in, heading, portal_client


@pytest.fixture
def fake() -> FakeAccounts:
    return FakeAccounts()


@pytest.fixture
def client(fake: FakeAccounts) -> Iterator[TestClient]:
    with portal_client(fake) as client:
        yield client


def _ask(client: TestClient, email: str, **headers: str) -> httpx.Response:
    form = client.get("/sign-in?next=/me", headers=headers)
    fields = {"csrf": csrf_of(form.text), "email": email, "next": "/me"}
    return client.post("/sign-in", data=fields, headers=headers)


def _signed_in(client: TestClient) -> httpx.Response:
    assert _ask(client, "ana@example.org").status_code == 200
    page = client.get("/sign-in/confirm?code=the-code")
    fields = {"csrf": csrf_of(page.text), "code": "the-code"}
    return client.post("/sign-in/confirm", data=fields, follow_redirects=False)


def test_a_post_without_the_session_csrf_token_does_nothing(
    client: TestClient, fake: FakeAccounts
) -> None:
    client.get("/sign-in")
    for fields in ({"email": "ana@example.org"}, {"email": "a@example.org", "csrf": "forged"}):
        refused = client.post("/sign-in", data=fields)
        assert refused.status_code == 400
        assert heading(refused.text) == "This form has expired"
    assert fake.requests == []


def test_an_invalid_address_shows_the_form_again_with_the_error_on_the_field(
    client: TestClient, fake: FakeAccounts
) -> None:
    page = _ask(client, "not an address")
    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.text
    assert 'aria-describedby="email-hint email-error"' in page.text
    assert 'id="email-error"' in page.text and 'value="not an address"' in page.text
    assert fake.requests == []


def test_a_sign_in_is_asked_in_the_page_language_for_the_browser_address(
    client: TestClient, fake: FakeAccounts
) -> None:
    page = _ask(client, "ana@example.org", **{"Accept-Language": "es-MX,es;q=0.9"})
    assert page.status_code == 200 and heading(page.text) == "Revisa tu correo"
    assert fake.body("POST /sign-in") == {"email": "ana@example.org", "locale": "es"}
    assert fake.asked("POST /sign-in")[0].headers["X-Forwarded-For"] == "testclient"


def test_too_many_requests_says_when_to_retry(client: TestClient, fake: FakeAccounts) -> None:
    fake.answers["POST /sign-in"] = lambda _: httpx.Response(429, headers={"Retry-After": "601"})
    page = _ask(client, "ana@example.org")
    assert page.status_code == 429 and page.headers["Retry-After"] == "601"
    assert "try again in 11 minutes" in page.text


def test_opening_the_link_uses_nothing_and_continue_signs_in_to_where_the_person_was_going(
    client: TestClient, fake: FakeAccounts
) -> None:
    _ask(client, "ana@example.org")
    before = client.cookies[sessions.COOKIE]
    page = client.get("/sign-in/confirm?code=the-code")
    assert page.status_code == 200 and fake.asked("POST /sign-in/redeem") == []
    fields = {"csrf": csrf_of(page.text), "code": "the-code"}
    landed = client.post("/sign-in/confirm", data=fields, follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == "/me"
    assert fake.body("POST /sign-in/redeem") == {"code": "the-code"}
    assert client.cookies[sessions.COOKIE] != before, "the session id must change on sign-in"
    home = client.get("/")
    assert "You are signed in as Ana Ruiz (ana@example.org)." in home.text
    assert fake.asked("GET /me")[0].headers["Authorization"] == "Bearer access-1"


def test_a_used_or_expired_code_says_so_and_offers_a_new_link(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["POST /sign-in/redeem"] = lambda _: httpx.Response(400, json={"detail": "x"})
    page = client.get("/sign-in/confirm?code=old")
    refused = client.post("/sign-in/confirm", data={"csrf": csrf_of(page.text), "code": "old"})
    assert refused.status_code == 400
    assert heading(refused.text) == "This sign-in link has been used or has expired"
    assert 'href="/sign-in"' in refused.text


@pytest.mark.parametrize("target", ["//evil.example.org/", "https://evil.example.org/"])
def test_next_never_leaves_the_site(client: TestClient, target: str) -> None:
    form = client.get("/sign-in")
    fields = {"csrf": csrf_of(form.text), "email": "ana@example.org", "next": target}
    client.post("/sign-in", data=fields)
    page = client.get("/sign-in/confirm?code=c")
    landed = client.post(
        "/sign-in/confirm",
        data={"csrf": csrf_of(page.text), "code": "c"},
        follow_redirects=False,
    )
    assert landed.headers["location"] == "/"


def test_an_access_token_about_to_expire_is_renewed_with_the_session_token(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["POST /sign-in/redeem"] = lambda _: httpx.Response(
        200,
        json={
            "session_token": "session-1",
            "access_token": "access-1",
            "expires_at": expires_in(30),
            "person": {"id": 7, "name": "Ana", "email": "ana@example.org", "roles": []},
        },
    )
    _signed_in(client)
    client.get("/")
    (minted,) = fake.asked("POST /token")
    assert minted.headers["Authorization"] == "Bearer session-1"
    assert fake.asked("GET /me")[-1].headers["Authorization"] == "Bearer access-2"


def test_a_session_accounts_ended_reads_as_signed_out(
    client: TestClient, fake: FakeAccounts
) -> None:
    fake.answers["GET /me"] = lambda _: httpx.Response(401)
    _signed_in(client)
    home = client.get("/")
    assert "You are signed in" not in home.text and 'href="/sign-in"' in home.text


def test_sign_out_ends_the_session_at_accounts_and_here(
    client: TestClient, fake: FakeAccounts
) -> None:
    _signed_in(client)
    home = client.get("/")
    out = client.post("/sign-out", data={"csrf": csrf_of(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert fake.asked("POST /sign-out")[0].headers["Authorization"] == "Bearer session-1"
    assert "You are signed in" not in client.get("/").text


def test_the_session_cookie_is_httponly_lax_and_secure_behind_https(
    client: TestClient,
) -> None:
    plain = client.get("/sign-in").headers["set-cookie"].lower()
    assert "httponly" in plain and "samesite=lax" in plain and "secure" not in plain
    state = client.app.state  # type: ignore[attr-defined]
    state.connections = state.connections.__class__(
        redis=state.connections.redis, apis=state.connections.apis, secure_cookies=True
    )
    client.cookies.clear()
    assert "secure" in client.get("/sign-in").headers["set-cookie"].lower()


def test_health_says_which_dependency_does_not_answer(
    client: TestClient, fake: FakeAccounts
) -> None:
    assert client.get("/healthz").status_code == 200
    fake.answers["GET /healthz"] = lambda _: httpx.Response(503)
    down = client.get("/healthz")
    assert down.status_code == 503 and down.json()["checks"]["accounts"] == "answered 503"
