"""A thin client of Cohort's public HTTP API, as the demo uses it."""

import os
from collections.abc import Iterator
from typing import Any

import httpx

from devstack.ports import DEFAULT_PORTS, StackError, configured_ports


def _base_url(service: str) -> str:
    try:
        port = configured_ports(os.environ)[service]
    except StackError:
        port = DEFAULT_PORTS[service]  # the demo's start refuses the setting, saying why
    return f"http://127.0.0.1:{port}"


REGISTRY = _base_url("registry")
SCHEDULER = _base_url("scheduler")
NOTIFIER = _base_url("notifier")


class ApiError(RuntimeError):
    """An API call answered with an unexpected status."""


class CohortApi:
    """Calls the three services with the right tokens; raises on unexpected answers."""

    def __init__(self, admin_token: str) -> None:
        self.http = httpx.Client(timeout=30.0)
        self.admin = admin_token

    def call(
        self,
        method: str,
        url: str,
        token: str | None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201),
        **params: Any,
    ) -> Any:
        """Make one request and return its JSON."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = self.http.request(method, url, json=body, headers=headers, params=params or None)
        if response.status_code not in ok:
            raise ApiError(f"{method} {url} → {response.status_code}: {response.text[:300]}")
        return response.json()

    def pages(self, url: str, token: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list."""
        offset = 0
        while True:
            page = self.call("GET", url, token, limit=100, offset=offset, **params)
            yield from page["items"]
            offset += len(page["items"])
            if not page["items"] or offset >= page["total"]:
                return
