"""Hostile input on every accounts route: never a 5xx; a bad field is 422 naming that field."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.accounts import accounts_client, reset_limits
from tests.support.hostile import (
    BAD_EMAILS,
    BAD_LINES,
    BAD_ZONES,
    HUGE,
    Case,
    body_cases,
    check_answer,
    raw_cases,
    send,
)

SIGN_IN = {"email": "ana@example.org", "name": "Ana Ruiz"}
BAD_CREDENTIALS = {
    "garbage": "not-a-token",
    "three-dots": "a.b.c",
    "unicode": "ünïcode",
    "huge": HUGE,
    "jwt-none": "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
}


def _cases() -> list[Any]:
    cases = [
        *body_cases("POST", "/sign-in", SIGN_IN, {("email",): BAD_EMAILS}, "anonymous"),
        *body_cases("POST", "/sign-in", SIGN_IN, {("name",): BAD_LINES}, "anonymous"),
        *body_cases("POST", "/sign-in", SIGN_IN, {("timezone",): BAD_ZONES}, "anonymous"),
        *body_cases(
            "POST", "/sign-in", SIGN_IN, {("locale",): {"fr": "fr", "nul": "en\x00"}}, "anonymous"
        ),
        *raw_cases("POST", "/sign-in", "anonymous"),
        *raw_cases("POST", "/sign-in/redeem", "anonymous"),
    ]
    cases += [
        pytest.param(Case("POST", "/sign-in/redeem", {"code": value}), id=f"redeem code={name}")
        for name, value in {**BAD_LINES, "empty": "", "number": 7, "list": ["a"]}.items()
    ]
    for method, path in [("POST", "/token"), ("GET", "/me"), ("POST", "/sign-out")]:
        cases += [
            pytest.param(
                Case(method, path, headers={"Authorization": f"Bearer {value}"}, status=401),
                id=f"{method} {path} bearer={name}",
            )
            for name, value in BAD_CREDENTIALS.items()
            if value.isascii()
        ]
    return cases


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with accounts_client() as client:
        yield client


@pytest.mark.parametrize("case", _cases())
def test_hostile_input_is_refused_without_a_5xx(client: TestClient, case: Case) -> None:
    reset_limits()
    check_answer(send(client, case, {}), case)
