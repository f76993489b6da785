"""docs/API.md lists exactly the routes each service serves, as its OpenAPI describes them."""

import importlib
import re
from pathlib import Path

import pytest

API_DOC = (Path(__file__).resolve().parents[2] / "docs" / "API.md").read_text()
SERVICES = {
    "accounts": "Accounts (:8004)",
    "registry": "Registry (:8001)",
    "scheduler": "Scheduler (:8002)",
    "notifier": "Notifier (:8003)",
    "portal": "Portal (:8000)",
}
PROBES = {"/healthz", "/readyz", "/metrics"}
ROW = re.compile(r"^\| ((?:GET|POST|PUT|PATCH|DELETE) /\S*) \|", re.MULTILINE)


def documented_routes(heading: str) -> set[str]:
    """The `METHOD /path` rows of one service's table under "Served today"."""
    served = API_DOC.split("## Served today", 1)[1].split("\n## ", 1)[0]
    section = served.split(f"### {heading}", 1)[1].split("\n### ", 1)[0]
    return set(ROW.findall(section))


def served_routes(service: str) -> set[str]:
    """The `METHOD /path` pairs in a service's OpenAPI, without the probes."""
    app = importlib.import_module(f"services.{service}.main").app
    return {
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        if path not in PROBES
        for method in operations
    }


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_api_doc_lists_every_served_route_and_no_other(service: str) -> None:
    documented = documented_routes(SERVICES[service])
    served = served_routes(service)
    assert documented, f"no routes documented for {service}"
    assert served - documented == set(), f"served but not in docs/API.md: {served - documented}"
    assert documented - served == set(), f"in docs/API.md but not served: {documented - served}"


def test_documented_message_kinds_are_the_ones_the_deliveries_filter_takes() -> None:
    spec = importlib.import_module("services.notifier.main").app.openapi()
    (kind,) = [p for p in spec["paths"]["/deliveries"]["get"]["parameters"] if p["name"] == "kind"]
    schema = next(s for s in kind["schema"]["anyOf"] if "enum" in s or "$ref" in s)
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    line = API_DOC.split("Message kinds:", 1)[1].split("\n\n", 1)[0]
    assert set(re.findall(r"`(\w+)`", line)) == set(schema["enum"])
