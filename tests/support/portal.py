"""The portal app in-process, with accounts played by a fake that records what it was asked."""

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi.testclient import TestClient

from services.portal.main import create_app

Answer = Callable[[httpx.Request], httpx.Response]
PERSON = {"id": 7, "name": "Ana Ruiz", "email": "ana@example.org", "roles": []}


def expires_in(seconds: float) -> str:
    """An `expires_at` that many seconds from now."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


@dataclass
class FakeAccounts:
    """Answers the portal's calls to accounts; `answers` maps "METHOD /path" to a response."""

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
    """The portal app, every API it calls answered by `fake`."""
    with TestClient(create_app()) as client:
        apis = client.app.state.connections.apis  # type: ignore[attr-defined]
        for name in apis:
            apis[name] = httpx.AsyncClient(
                transport=httpx.MockTransport(fake), base_url=f"http://{name}"
            )
        yield client


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
