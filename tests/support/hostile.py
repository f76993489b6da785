"""Hostile input for every API: values to put in fields, raw bodies, and the checks on answers."""

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

Loc = tuple[str | int, ...]
HUGE = "x" * 200_000
HEADER_INJECTION = "a@x.example\r\nBcc: b@y"

# Strings no one-line field takes.
BAD_LINES = {
    "nul": "a\x00b",
    "escape": "a\x1b[31mb",
    "crlf": "a\r\nBcc: b@y.example",
    "surrogate": "a\ud800b",
    "huge": HUGE,
}
# Strings no multi-line field takes (line breaks are fine there).
BAD_PARAGRAPHS = {k: v for k, v in BAD_LINES.items() if k != "crlf"}
BAD_ZONES = {
    "legacy": "EST",
    "host": "localtime",
    "unknown": "Mars/Base",
    "lower": "america/new_york",
    "path": "../../etc/passwd",
    "nul": "America/New_York\x00",
    "long": "America/" + "x" * 300,
    "huge": HUGE,
}
BAD_EMAILS = {
    "header-injection": HEADER_INJECTION,
    "lf": "a@x.example\nBcc: b@y.example",
    "nul": "a\x00@x.example",
    "angle": "<a@x.example>",
    "named": "Ana <a@x.example>",
    "quoted": '"a b"@x.example',
    "comma": "a@x.example,b@y.example",
    "no-domain": "a@localhost",
    "unicode": "ana@bücher.example",
    "long": "a" * 250 + "@x.example",
    "huge": HUGE + "@x.example",
}
BAD_IDS = {"zero": 0, "negative": -1, "2^63": 2**63, "2^64": 2**64, "text": "1; DROP TABLE x"}
# Ids in range that name nothing: a lookup answers 404, never 500.
UNKNOWN_IDS = {"2^31": 2**31, "2^40": 2**40, "2^63-1": 2**63 - 1}
BAD_INSTANTS = {
    "year-1-east": "0001-01-01T00:00+14:00",
    "year-1": "0001-01-01T00:00",
    "year-9999-west": "9999-12-31T23:59-14:00",
    "1999": "1999-12-31T23:59Z",
    "2101": "2101-01-01T00:00Z",
    "garbage": "yesterday",
    "huge-number": "1e400",
}
BAD_LOCAL_TIMES = {
    "year-1": "0001-01-01T00:00",
    "year-1-east": "0001-01-01T00:00+14:00",
    "year-9999": "9999-12-31T23:00",
    "nul": "2027-03-10T09:00\x00",
    "huge": HUGE,
}


@dataclass(frozen=True)
class Raw:
    """A request body sent as bytes with a content type, for malformed JSON and the like."""

    content: bytes
    content_type: str | None = "application/json"


RAW_BODIES = {
    "malformed-json": Raw(b'{"name": "x",'),
    "not-utf8": Raw(b'{"name": "\xff\xfe"}'),
    "array": Raw(b"[1, 2, 3]"),
    "null": Raw(b"null"),
    "deep": Raw(b"[" * 50_000 + b"]" * 50_000),
    "huge-int": Raw(b'{"capacity": ' + b"9" * 5000 + b"}"),
    "nan": Raw(b'{"capacity": NaN, "pd_hours": Infinity}'),
    "text-plain": Raw(b'{"name": "x"}', "text/plain"),
    "form": Raw(b"name=x&state=OH", "application/x-www-form-urlencoded"),
    "octets": Raw(b"\xff\xfe\x00\x01", "application/octet-stream"),
    "no-type": Raw(b"\xff\xfe", None),
}


@dataclass(frozen=True)
class Case:
    """One hostile request and, when it must be 422, the field the answer names."""

    method: str
    path: str
    body: Any = None
    params: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    field: Loc | None = None
    status: int | None = None
    who: str = "operator"


def send(client: TestClient, case: Case, headers: dict[str, str], **ids: int) -> Any:
    """Send a case as `headers` (its caller's), with `{name}` in its path filled from `ids`;
    JSON bodies are encoded here so lone surrogates travel as escapes."""
    all_headers = {**headers, **case.headers}
    content: bytes | None = None
    if isinstance(case.body, Raw):
        content = case.body.content
        if case.body.content_type is not None:
            all_headers["Content-Type"] = case.body.content_type
    elif case.body is not None:
        content = json.dumps(case.body).encode("ascii")
        all_headers["Content-Type"] = "application/json"
    # The query is encoded here: a lone surrogate travels as the bytes a raw client would send.
    query = "&".join(
        f"{quote(name)}={quote(str(value).encode('utf-8', 'surrogatepass'))}"
        for name, value in case.params.items()
    )
    path = case.path.format(**ids) + (f"?{query}" if query else "")
    return client.request(case.method, path, content=content, headers=all_headers)


def check_answer(response: Any, case: Case) -> None:
    """No 5xx ever; a named field means 422 in the usual shape with that field in `detail`."""
    shown = f"{case.method} {case.path} -> {response.status_code}: {response.text[:300]}"
    assert response.status_code < 500, shown
    if case.status is not None:
        assert response.status_code == case.status, shown
    if case.field is None:
        return
    assert response.status_code == 422, shown
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail, shown
    assert all({"loc", "msg", "type"} <= set(item) for item in detail), shown
    locs = [tuple(item["loc"]) for item in detail]
    assert any(loc[: len(case.field)] == case.field for loc in locs), (case.field, locs)


def body_cases(
    method: str, path: str, base: dict[str, Any], fields: dict[Loc, dict[str, Any]], who: str
) -> list[Any]:
    """One case per hostile value of each field of a valid body, each naming that field."""
    return [
        pytest.param(
            Case(method, path, with_value(base, loc, value), field=("body", *loc), who=who),
            id=f"{method} {path} {'.'.join(map(str, loc))}={name}",
        )
        for loc, values in fields.items()
        for name, value in values.items()
    ]


def raw_cases(method: str, path: str, who: str) -> list[Any]:
    """Malformed JSON, wrong content types and odd documents: a 4xx, never a 5xx."""
    return [
        pytest.param(Case(method, path, raw, who=who), id=f"{method} {path} {name}")
        for name, raw in RAW_BODIES.items()
    ]


def id_cases(method: str, path: str, name: str, who: str, body: Any = None) -> list[Any]:
    """Ids out of range (422 naming the parameter) and in range but unknown (404, or an empty
    page for a query filter)."""
    where = "path" if "{" + name + "}" in path else "query"
    cases = []
    for label, value in {**BAD_IDS, **UNKNOWN_IDS}.items():
        bad = label in BAD_IDS
        case = Case(
            method,
            path.replace("{" + name + "}", str(value)),
            body,
            params={} if where == "path" else {name: value},
            field=(where, name) if bad else None,
            status=None if bad else 404 if where == "path" else 200,
            who=who,
        )
        cases.append(pytest.param(case, id=f"{method} {path} {name}={label}"))
    return cases


def with_value(body: dict[str, Any], path: Loc, value: Any) -> dict[str, Any]:
    """A deep copy of a JSON body with the value at `path` replaced."""
    copy: dict[str, Any] = json.loads(json.dumps(body))
    target: Any = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy
