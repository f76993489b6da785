"""Hostile input on every notifier route: never a 5xx; a bad field is 422 naming that field."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.hostile import BAD_LINES, HUGE, Case, check_answer, id_cases, raw_cases, send

QUERIES: dict[str, dict[str, Any]] = {
    "recipient": {**BAD_LINES, "huge": "x" * 20_000},
    "kind": {"unknown": "spam", "nul": "\x00"},
    "status": {"unknown": "lost", "nul": "\x00"},
    "limit": {"zero": 0, "over": 101, "2^64": 2**64},
    "offset": {"negative": -1, "over": 1_000_001, "2^64": 2**64},
}
# The surrogate arrives as invalid UTF-8, which the server reads as U+FFFD: only the NUL is bad.
QUERIES["recipient"]["surrogate"] = "a\x00\ud800"
TOKENS = {
    "nul": "%00",
    "garbage": "ck1.x.y",
    "unicode": "ck1.%C3%A9.%00",
    "huge": "ck1." + "a" * 8000 + ".b",
    "surrogate-bytes": "%ED%A0%80",
}


def _cases() -> list[Any]:
    cases = [
        pytest.param(
            Case("GET", "/deliveries", params={name: value}, field=("query", name)),
            id=f"GET /deliveries {name}={label}",
        )
        for name, values in QUERIES.items()
        for label, value in values.items()
    ]
    cases += id_cases("POST", "/deliveries/{delivery_id}/retry", "delivery_id", "operator")
    cases += raw_cases("POST", "/deliveries/1/retry", "operator")
    cases += [
        pytest.param(Case("GET", f"/calendars/{token}.ics", who="anonymous"), id=f"feed {label}")
        for label, token in TOKENS.items()
    ]
    cases.append(
        pytest.param(
            Case("GET", "/deliveries", headers={"Authorization": f"Bearer {HUGE}"}, status=401),
            id="GET /deliveries huge-bearer",
        )
    )
    return cases


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    from services.notifier.main import app

    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.mark.parametrize("case", _cases())
def test_hostile_input_is_refused_without_a_server_error(
    case: Case, client: TestClient, admin_headers: dict[str, str]
) -> None:
    headers = admin_headers if case.who == "operator" else {}
    check_answer(send(client, case, headers), case)
