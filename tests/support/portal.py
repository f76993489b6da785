"""The portal app in-process, calling the real APIs over HTTP (tests/support/services.py), with
what it sent them recorded; signing in through its pages; reading its pages."""

import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis
from fastapi.testclient import TestClient

from services.portal import registry as portal_registry
from services.portal import sessions
from services.portal.main import create_app
from shared.settings import get_settings
from tests.support.accounts import code_from, reset_limits, sign_in_events


@dataclass
class Traffic:
    """Every request the portal sent to an API (each still answered by the real service)."""

    requests: list[httpx.Request] = field(default_factory=list)

    async def __call__(self, request: httpx.Request) -> None:
        """Keep the request (an httpx request hook)."""
        self.requests.append(request)

    def asked(self, route: str) -> list[httpx.Request]:
        """The requests made to one "METHOD /path"."""
        return [r for r in self.requests if f"{r.method} {r.url.path}" == route]

    def body(self, route: str) -> Any:
        """The JSON body of the last request to a route."""
        return json.loads(self.asked(route)[-1].content)


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """These environment variables set, and the settings read again, until the block ends."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()


@contextmanager
def portal_client(traffic: Traffic | None = None, **api_urls: str) -> Iterator[TestClient]:
    """The portal app calling the session's real APIs (or, for those named, the URL given:
    `scheduler="http://..."`); `traffic` records what it sends them. Nothing is kept from an
    earlier portal."""
    portal_registry.forget_programs()
    overrides = {f"COHORT_{name.upper()}_URL": url for name, url in api_urls.items()}
    with environment(**overrides), TestClient(create_app()) as client:
        if traffic is not None:
            for api in client.app.state.connections.apis.values():  # type: ignore[attr-defined]
                api.event_hooks["request"].append(traffic)
        yield client


def new_email(tag: str = "ana") -> str:
    """An address nobody else in the session signs in with."""
    return f"{tag}.{uuid.uuid4().hex[:10]}@schools.example.org"


def ask_for_link(
    client: TestClient, email: str, next_page: str = "/", **headers: str
) -> httpx.Response:
    """Fill in the sign-in form for `email` (the per-client limit is started afresh first)."""
    reset_limits()
    form = client.get(f"/sign-in?next={next_page}", headers=headers)
    fields = {"csrf": csrf_of(form.text), "email": email, "next": next_page}
    return client.post("/sign-in", data=fields, headers=headers)


def confirm(client: TestClient, code: str) -> httpx.Response:
    """Open the mailed link and press its Continue button."""
    page = client.get(f"/sign-in/confirm?code={code}")
    fields = {"csrf": csrf_of(page.text), "code": code}
    return client.post("/sign-in/confirm", data=fields, follow_redirects=False)


def newest_code(email: str) -> str:
    """The code of the newest link accounts had mailed to `email`."""
    return code_from(sign_in_events(email)[-1])


def sign_in(client: TestClient, email: str | None = None, next_page: str = "/") -> httpx.Response:
    """Sign in through the portal's pages against the real accounts, with the mailed code."""
    address = email or new_email()
    assert ask_for_link(client, address, next_page).status_code == 200
    return confirm(client, newest_code(address))


def stored_session(client: TestClient) -> dict[str, Any]:
    """The browser's session as the portal keeps it in Redis."""
    cookie = client.cookies[sessions.COOKIE]
    key = "portal:session:" + hashlib.sha256(cookie.encode()).hexdigest()
    stored = redis.Redis.from_url(get_settings().cohort_redis_url).get(key)
    assert stored is not None, "the portal keeps no session for this browser"
    found: dict[str, Any] = json.loads(stored)
    return found


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
