"""Registry: API docs work offline, the OpenAPI document is complete, health endpoints answer."""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support.registry import registry_client

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""")
ROUTES = {
    ("/affiliates", "post"),
    ("/affiliates", "get"),
    ("/programs", "post"),
    ("/programs", "get"),
    ("/offerings", "post"),
    ("/offerings", "get"),
    ("/offerings/{offering_id}", "get"),
    ("/offerings/{offering_id}", "patch"),
    ("/offerings/{offering_id}/publish", "post"),
    ("/offerings/{offering_id}/cancel", "post"),
    ("/offerings/{offering_id}/audit", "get"),
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_nothing_from_the_internet(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    html = response.text
    assert not re.search(r"https?://", html), "docs page refers to an external URL"
    assets = ASSET.findall(html)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_openapi_describes_every_route(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["info"]["title"] == "Cohort Registry"
    assert "wall time" in document["info"]["description"]
    operations = {
        (path, method): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) >= ROUTES
    for route in ROUTES:
        assert operations[route].get("summary"), route
    patch = operations[("/offerings/{offering_id}", "patch")]
    assert "without `id` is a new meeting" in patch["description"]
    assert {"401", "403", "404", "409", "422"} <= set(patch["responses"])


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}


def test_openapi_says_which_routes_need_no_token_and_which_fields_take_no_null(
    client: TestClient,
) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    for path in ("/programs", "/offerings", "/offerings/{offering_id}"):
        assert {} in paths[path]["get"]["security"], path
    assert {} not in paths["/affiliates"]["get"]["security"]
    change = document["components"]["schemas"]["OfferingUpdate"]["properties"]
    assert change["capacity"] == {**change["capacity"], "type": "integer", "minimum": 1}
    assert "anyOf" not in change["title"] and "anyOf" not in change["meetings"]
    assert {"type": "null"} in change["description"]["anyOf"]
    problem = paths["/offerings/{offering_id}"]["patch"]["responses"]["404"]["content"]
    assert problem["application/json"]["schema"] == {"$ref": "#/components/schemas/Problem"}


def test_a_method_a_path_does_not_serve_is_405_naming_all_it_serves(client: TestClient) -> None:
    for method, path, allowed in [
        ("PUT", "/offerings", "GET, POST"),
        ("DELETE", "/offerings/1", "GET, PATCH"),
        ("GET", "/offerings/1/publish", "POST"),
    ]:
        response = client.request(method, path)
        assert response.status_code == 405
        assert response.headers["Allow"] == allowed
