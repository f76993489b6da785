"""Hostile input on every registry route: never a 5xx; a bad field is 422 naming that field."""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.registry.models_offering import OFFERING_EXAMPLE
from tests.support.hostile import (
    BAD_INSTANTS,
    BAD_LINES,
    BAD_LOCAL_TIMES,
    BAD_PARAGRAPHS,
    BAD_ZONES,
    HUGE,
    Case,
    body_cases,
    check_answer,
    id_cases,
    raw_cases,
    send,
)
from tests.support.registry import bearer, make_affiliate, make_offering, make_program

BAD_STATES = {"unknown": "ZZ", "nul": "O\x00", "long": "OHIO", "huge": HUGE}
BAD_LINKS = {
    "relative": "meet.example.org/x",
    "script": "javascript:alert(1)",
    "space": "https://meet.example.org/a b",
    "crlf": "https://meet.example.org/\r\nBcc: b@y.example",
    "nul": "https://meet.example.org/\x00",
    "quote": 'https://meet.example.org/"><script>',
    "bad-ipv6": "https://[::1/x",
    "huge": "https://meet.example.org/" + HUGE,
}
AFFILIATE = {"name": "Ohio EA", "state": "OH", "timezone": "America/New_York"}
PROGRAM = {"code": "hostile-program", "title": "Implicit Bias", "description": "Two mornings."}
VIRTUAL = {
    **OFFERING_EXAMPLE,
    "program_code": "{program}",
    "format": "virtual",
    "venue": None,
    "join_url": "https://meet.example.org/v",
}
IN_PERSON = {**OFFERING_EXAMPLE, "program_code": "{program}"}
PATCH = {
    "title": "Changed",
    "meetings": [{"starts_at": "2027-04-01T09:00", "ends_at": "2027-04-01T12:00"}],
}


def _cases() -> list[Any]:
    lines, paragraphs = BAD_LINES, BAD_PARAGRAPHS
    cases = [
        *body_cases(
            "POST",
            "/affiliates",
            AFFILIATE,
            {("name",): lines, ("state",): BAD_STATES, ("timezone",): BAD_ZONES},
            "operator",
        ),
        *body_cases(
            "POST",
            "/programs",
            PROGRAM,
            {("code",): lines, ("title",): lines, ("description",): paragraphs},
            "operator",
        ),
        *body_cases(
            "POST",
            "/offerings",
            VIRTUAL,
            {
                ("title",): lines,
                ("description",): paragraphs,
                ("timezone",): BAD_ZONES,
                ("join_url",): BAD_LINKS,
                ("program_code",): lines,
                ("meetings", 0, "starts_at"): BAD_LOCAL_TIMES,
                ("meetings", 0, "ends_at"): BAD_LOCAL_TIMES,
                ("registration_closes_at",): BAD_LOCAL_TIMES,
            },
            "affiliate",
        ),
        *body_cases(
            "POST",
            "/offerings",
            IN_PERSON,
            {
                ("venue", "name"): lines,
                ("venue", "address"): lines,
                ("venue", "city"): lines,
                ("venue", "state"): BAD_STATES,
            },
            "affiliate",
        ),
        *body_cases(
            "PATCH",
            "/offerings/{draft}",
            PATCH,
            {
                ("title",): lines,
                ("meetings", 0, "starts_at"): BAD_LOCAL_TIMES,
                ("meetings", 0, "id"): {"zero": 0, "2^64": 2**64, "unknown": 2**40},
            },
            "affiliate",
        ),
        *body_cases(
            "POST",
            "/offerings/{doomed}/cancel",
            {"reason": "Venue closed"},
            {("reason",): lines},
            "affiliate",
        ),
    ]
    for method, path, who in [
        ("POST", "/affiliates", "operator"),
        ("POST", "/programs", "operator"),
        ("POST", "/offerings", "affiliate"),
        ("PATCH", "/offerings/{draft}", "affiliate"),
        ("POST", "/offerings/{doomed}/cancel", "affiliate"),
    ]:
        cases += raw_cases(method, path, who)
    for method, suffix in [
        ("GET", ""),
        ("PATCH", ""),
        ("POST", "/publish"),
        ("POST", "/cancel"),
        ("GET", "/audit"),
    ]:
        body = {"title": "x"} if method == "PATCH" else None
        cases += id_cases(
            method, "/offerings/{offering_id}" + suffix, "offering_id", "operator", body
        )
    cases += id_cases("GET", "/offerings", "affiliate_id", "anonymous")
    return cases + _query_cases()


def _query_cases() -> list[Any]:
    queries: dict[str, dict[str, Any]] = {
        # A server reads an invalid UTF-8 query as U+FFFD, so a lone surrogate is no error there.
        "program": {**BAD_LINES, "surrogate": "a\x00\ud800", "huge": "x" * 20_000},
        "state": {"nul": "O\x00", "long": "OHIO", "unknown": "ZZ"},
        "starts_after": BAD_INSTANTS,
        "starts_before": BAD_INSTANTS,
        "format": {"unknown": "carrier-pigeon", "nul": "\x00"},
        "status": {"unknown": "secret", "nul": "\x00"},
        "limit": {"zero": 0, "over": 101, "2^64": 2**64},
        "offset": {"negative": -1, "over": 1_000_001, "2^64": 2**64},
    }
    routes = [
        ("/offerings", list(queries), "anonymous"),
        ("/affiliates", ["limit", "offset"], "operator"),
        ("/programs", ["limit", "offset"], "anonymous"),
    ]
    return [
        pytest.param(
            Case("GET", path, params={name: value}, field=("query", name), who=who),
            id=f"GET {path} {name}={label}",
        )
        for path, names, who in routes
        for name in names
        for label, value in queries[name].items()
    ]


@pytest.fixture(scope="module")
def world(admin_headers: dict[str, str]) -> Iterator[dict[str, Any]]:
    from services.registry.main import app

    with TestClient(app, raise_server_exceptions=False) as client:
        affiliate = make_affiliate(client, admin_headers)
        program = make_program(client, admin_headers)
        draft = make_offering(client, affiliate["headers"], program["code"])
        doomed = make_offering(client, affiliate["headers"], program["code"])
        yield {
            "client": client,
            "headers": {
                "operator": admin_headers,
                "affiliate": affiliate["headers"],
                "anonymous": {},
            },
            "ids": {"draft": draft["id"], "doomed": doomed["id"], "program": program["code"]},
        }


@pytest.mark.parametrize("case", _cases())
def test_hostile_input_is_refused_without_a_server_error(case: Case, world: dict[str, Any]) -> None:
    if isinstance(case.body, dict) and case.body.get("program_code") == "{program}":
        case = replace(case, body={**case.body, "program_code": world["ids"]["program"]})
    response = send(world["client"], case, world["headers"][case.who], **world["ids"])
    check_answer(response, case)


def test_the_accepted_forms_of_the_same_fields_still_work(world: dict[str, Any]) -> None:
    client, headers = world["client"], world["headers"]
    body = {**VIRTUAL, "program_code": world["ids"]["program"], "description": "Line one.\r\nTwo."}
    created = client.post("/offerings", json=body, headers=headers["affiliate"])
    assert created.status_code == 201, created.text
    assert created.json()["description"] == "Line one.\r\nTwo."
    found = client.get("/offerings", params={"starts_after": "2000-01-01T00:00+14:00"})
    assert found.status_code == 200
    named = bearer("not-a-token")
    assert client.get("/offerings", headers=named).status_code == 401
