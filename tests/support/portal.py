"""The portal app in-process, with the APIs played by a fake that records what it was asked."""

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from services.portal import registry as portal_registry
from services.portal.main import create_app

Answer = Callable[[httpx.Request], httpx.Response]
PERSON = {"id": 7, "name": "Ana Ruiz", "email": "ana@example.org", "roles": []}


def expires_in(seconds: float) -> str:
    """An `expires_at` that many seconds from now."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


@dataclass
class FakeAccounts:
    """Answers the portal's calls to every API; `answers` maps "METHOD /path" to a response."""

    requests: list[httpx.Request] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        redeemed = {"session_token": "session-1", "access_token": "access-1", "person": PERSON}
        self.answers = {
            "POST /sign-in": lambda _: httpx.Response(202, json={"status": "sent"}),
            "POST /sign-in/redeem": lambda _: httpx.Response(
                200, json={**redeemed, "expires_at": expires_in(900)}
            ),
            "POST /token": lambda _: httpx.Response(
                200, json={"access_token": "access-2", "expires_at": expires_in(900)}
            ),
            "POST /sign-out": lambda _: httpx.Response(204),
            "GET /me": lambda _: httpx.Response(200, json={**PERSON, "locale": "en"}),
            "GET /healthz": lambda _: httpx.Response(200, json={"status": "ok"}),
            "GET /offerings": lambda _: httpx.Response(200, json={"items": [], "total": 0}),
            "GET /programs": lambda _: httpx.Response(200, json={"items": [], "total": 0}),
            "GET /availability": lambda _: httpx.Response(200, json={"items": []}),
            # A scheduler serving no credits yet answers as one without the route does.
            "GET /credits": lambda _: httpx.Response(404, json={"detail": "Not Found"}),
        }

    def __call__(self, request: httpx.Request) -> httpx.Response:
        """Record the request and answer it."""
        self.requests.append(request)
        return self.answers[f"{request.method} {request.url.path}"](request)

    def asked(self, route: str) -> list[httpx.Request]:
        """The requests made to one "METHOD /path"."""
        return [r for r in self.requests if f"{r.method} {r.url.path}" == route]

    def body(self, route: str) -> Any:
        """The JSON body of the last request to a route."""
        return json.loads(self.asked(route)[-1].content)


@contextmanager
def portal_client(fake: FakeAccounts) -> Iterator[TestClient]:
    """The portal app, every API it calls answered by `fake` (nothing kept from earlier ones)."""
    portal_registry.forget_programs()
    with TestClient(create_app()) as client:
        apis = client.app.state.connections.apis  # type: ignore[attr-defined]
        for name in apis:
            apis[name] = httpx.AsyncClient(
                transport=httpx.MockTransport(fake), base_url=f"http://{name}"
            )
        yield client


@contextmanager
def portal_with_accounts(fake: FakeAccounts, accounts_url: str) -> Iterator[TestClient]:
    """The portal app calling the real accounts API at `accounts_url`; the others by `fake`."""
    with portal_client(fake) as client:
        apis = client.app.state.connections.apis  # type: ignore[attr-defined]
        apis["accounts"] = httpx.AsyncClient(base_url=accounts_url, timeout=10)
        yield client


def sign_in_at_accounts(client: TestClient, email: str) -> httpx.Response:
    """Sign in through the portal's pages against the real accounts, with the mailed code."""
    from tests.support.accounts import code_from, sign_in_events

    form = client.get("/sign-in")
    assert client.post("/sign-in", data={"csrf": csrf_of(form.text), "email": email}).is_success
    code = code_from(sign_in_events(email)[-1])
    page = client.get(f"/sign-in/confirm?code={code}")
    confirm = {"csrf": csrf_of(page.text), "code": code}
    return client.post("/sign-in/confirm", data=confirm, follow_redirects=False)


def csrf_of(html: str) -> str:
    """The CSRF token a page's form carries."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def heading(html: str) -> str:
    """The page's h1."""
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found, "no h1 on the page"
    return found.group(1).strip()


def offering(offering_id: int = 41, **changes: Any) -> dict[str, Any]:
    """A published offering as the registry answers it: two meetings in Chicago's zone."""
    meetings = [
        {
            "id": 900 + day,
            "starts_at": f"2027-03-{day}T09:00:00-05:00",
            "starts_at_utc": f"2027-03-{day}T14:00:00+00:00",
            "ends_at": f"2027-03-{day}T12:00:00-05:00",
            "ends_at_utc": f"2027-03-{day}T17:00:00+00:00",
            "timezone": "America/Chicago",
        }
        for day in (16, 23)
    ]
    return {
        "id": offering_id,
        "status": "published",
        "title": "Implicit Bias in the Classroom",
        "description": "Two mornings on recognising bias.",
        "format": "in_person",
        "timezone": "America/Chicago",
        "affiliate_id": 3,
        "affiliate_name": "Illinois Education Association",
        "affiliate_state": "IL",
        "program_code": "implicit-bias",
        "program_title": "Implicit Bias",
        "pd_hours": 6.0,
        "venue": {
            "name": "Central Library",
            "address": "1 Main St",
            "city": "Peoria",
            "state": "IL",
        },
        "join_url": None,
        "capacity": 20,
        "meetings": meetings,
        **changes,
    }


def page_of(*items: dict[str, Any], total: int | None = None) -> Answer:
    """An answer with a list page `{items, total}`."""
    body = {"items": list(items), "total": len(items) if total is None else total}
    return lambda _: httpx.Response(200, json=body)


def sign_in(client: TestClient, next_page: str = "/") -> httpx.Response:
    """Sign in through the portal's pages (accounts faked): ask for a link, then redeem it."""
    form = client.get(f"/sign-in?next={next_page}")
    fields = {"csrf": csrf_of(form.text), "email": "ana@example.org", "next": next_page}
    assert client.post("/sign-in", data=fields).status_code == 200
    page = client.get("/sign-in/confirm?code=the-code")
    confirm = {"csrf": csrf_of(page.text), "code": "the-code"}
    return client.post("/sign-in/confirm", data=confirm, follow_redirects=False)


def me_in(zone: str) -> Answer:
    """Accounts' GET /me for Ana, living in `zone`."""
    return lambda _: httpx.Response(200, json={**PERSON, "locale": "en", "timezone": zone})
