"""The portal's sign-in pages against the real accounts API and Redis: what reaches accounts, what
the browser keeps, renewing and ending sessions, and the health check naming what is down."""

import math
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from limits import parse

from services.accounts.sign_in import throttle
from services.portal import sessions
from shared.settings import get_settings
from tests.support.accounts import reset_limits, sign_in_events
from tests.support.portal import (
    Traffic,
    ask_for_link,
    csrf_of,
    heading,
    new_email,
    newest_code,
    portal_client,
    sign_in,
    stored_session,
)
from tests.support.portal_world import named_person
from tests.support.processes import free_port, wait_http
from tests.support.services import Apis, closed_port_url, uvicorn


@pytest.fixture
def client(apis: Apis) -> Iterator[TestClient]:
    with portal_client() as client:
        yield client


@pytest.fixture(scope="module")
def short_lived_tokens(
    apis: Apis, test_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A second accounts server on the same database whose access tokens live 30 seconds,
    less than the portal's renewal margin: each one is about to expire when it is minted."""
    port = free_port()
    env = {**test_env, "COHORT_ACCESS_TOKEN_TTL": "30"}
    process = uvicorn("accounts", port, env, tmp_path_factory.mktemp("short-accounts")).start()
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60, process=process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.stop()


def _client_requests_left(client_ip: str) -> int:
    limit = parse(get_settings().cohort_sign_in_limit_per_ip)
    stats = throttle.limiter().get_window_stats(limit, "sign-in-client", client_ip)
    return int(stats.remaining)


def test_a_post_without_the_session_csrf_token_does_nothing(client: TestClient) -> None:
    client.get("/sign-in")
    emails = [new_email(), new_email()]
    for fields in ({"email": emails[0]}, {"email": emails[1], "csrf": "forged"}):
        refused = client.post("/sign-in", data=fields)
        assert refused.status_code == 400
        assert heading(refused.text) == "This form has expired"
    assert [sign_in_events(email) for email in emails] == [[], []]


def test_an_invalid_address_shows_the_form_again_with_the_error_on_the_field(
    client: TestClient,
) -> None:
    reset_limits()
    page = ask_for_link(client, "not an address")
    assert page.status_code == 422
    assert 'aria-invalid="true"' in page.text
    assert 'aria-describedby="email-hint email-error"' in page.text
    assert 'id="email-error"' in page.text and 'value="not an address"' in page.text
    assert (
        _client_requests_left("testclient")
        == parse(get_settings().cohort_sign_in_limit_per_ip).amount
    ), "accounts was asked"


def test_a_sign_in_is_asked_in_the_page_language_for_the_browser_address(
    client: TestClient,
) -> None:
    email = new_email()
    reset_limits()
    before = _client_requests_left("testclient"), _client_requests_left("127.0.0.1")
    page = ask_for_link(client, email, **{"Accept-Language": "es-MX,es;q=0.9"})
    assert page.status_code == 200 and heading(page.text) == "Revisa tu correo"
    (event,) = sign_in_events(email)
    assert event["data"]["locale"] == "es"
    # Accounts counted the request against the browser's address, not the portal's.
    after = _client_requests_left("testclient"), _client_requests_left("127.0.0.1")
    assert after == (before[0] - 1, before[1])


def test_too_many_requests_says_when_to_retry(client: TestClient) -> None:
    email = new_email()
    reset_limits()
    form = client.get("/sign-in")
    fields = {"csrf": csrf_of(form.text), "email": email, "next": "/"}
    answers = [client.post("/sign-in", data=fields) for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    wait = int(answers[-1].headers["Retry-After"])
    assert 60 < wait <= 900
    assert f"try again in {math.ceil(wait / 60)} minutes" in answers[-1].text


def test_opening_the_link_uses_nothing_and_continue_signs_in_to_where_the_person_was_going(
    apis: Apis, client: TestClient
) -> None:
    email = new_email()
    named_person(apis, "Ana Ruiz", email)
    ask_for_link(client, email, "/me")
    before = client.cookies[sessions.COOKIE]
    code = newest_code(email)
    page = client.get(f"/sign-in/confirm?code={code}")
    assert page.status_code == 200 and stored_session(client)["session_token"] is None
    fields = {"csrf": csrf_of(page.text), "code": code}
    # The code still works after the page was opened: opening it redeemed nothing.
    landed = client.post("/sign-in/confirm", data=fields, follow_redirects=False)
    assert landed.status_code == 303 and landed.headers["location"] == "/me"
    assert client.cookies[sessions.COOKIE] != before, "the session id must change on sign-in"
    home = client.get("/")
    assert f"You are signed in as Ana Ruiz ({email})." in home.text


def test_a_used_or_expired_code_says_so_and_offers_a_new_link(
    apis: Apis, client: TestClient
) -> None:
    email = new_email()
    with portal_client() as elsewhere:
        assert sign_in(elsewhere, email).status_code == 303
    page = client.get(f"/sign-in/confirm?code={newest_code(email)}")
    fields = {"csrf": csrf_of(page.text), "code": newest_code(email)}
    refused = client.post("/sign-in/confirm", data=fields)
    assert refused.status_code == 400
    assert heading(refused.text) == "This sign-in link has been used or has expired"
    assert 'href="/sign-in"' in refused.text


@pytest.mark.parametrize("target", ["//evil.example.org/", "https://evil.example.org/"])
def test_next_never_leaves_the_site(client: TestClient, target: str) -> None:
    landed = sign_in(client, next_page=target)
    assert landed.status_code == 303 and landed.headers["location"] == "/"


def test_an_access_token_about_to_expire_is_renewed_with_the_session_token(
    short_lived_tokens: str,
) -> None:
    traffic = Traffic()
    with portal_client(traffic, accounts=short_lived_tokens) as client:
        sign_in(client)
        first = stored_session(client)
        home = client.get("/")
        renewed = stored_session(client)
    assert "You are signed in" in home.text
    assert renewed["session_token"] == first["session_token"]
    assert renewed["access_token"] != first["access_token"]
    minted = {request.headers["Authorization"] for request in traffic.asked("POST /token")}
    assert minted == {f"Bearer {first['session_token']}"}
    me = traffic.asked("GET /me")[-1]
    assert me.headers["Authorization"] != f"Bearer {first['access_token']}"


def test_a_session_accounts_ended_reads_as_signed_out(apis: Apis, client: TestClient) -> None:
    sign_in(client)
    assert "You are signed in" in client.get("/").text
    token = stored_session(client)["session_token"]
    ended = httpx.post(f"{apis.accounts}/sign-out", headers={"Authorization": f"Bearer {token}"})
    assert ended.status_code == 204
    home = client.get("/")
    assert "You are signed in" not in home.text and 'href="/sign-in"' in home.text


def test_sign_out_ends_the_session_at_accounts_and_here(apis: Apis, client: TestClient) -> None:
    sign_in(client)
    token = stored_session(client)["session_token"]
    home = client.get("/")
    out = client.post("/sign-out", data={"csrf": csrf_of(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    minted = httpx.post(f"{apis.accounts}/token", headers={"Authorization": f"Bearer {token}"})
    assert minted.status_code == 401, "the session still buys access tokens"
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


def test_health_says_which_dependency_does_not_answer(apis: Apis, client: TestClient) -> None:
    up = client.get("/healthz")
    assert up.status_code == 200, up.text
    with portal_client(accounts=closed_port_url()) as cut_off:
        down = cut_off.get("/healthz")
    assert down.status_code == 503
    checks = down.json()["checks"]
    assert checks["accounts"] == "unreachable: ConnectError"
    assert {name: value for name, value in checks.items() if name != "accounts"} == {
        "redis": "ok",
        "registry": "ok",
        "scheduler": "ok",
        "notifier": "ok",
    }
