"""What every service's app serves: health, readiness against real dependencies, metrics, docs."""

import re
from collections.abc import Iterator

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from sqlalchemy import text

from shared.db import engine_for
from shared.errors import InvalidInput
from shared.settings import get_settings
from shared.web import create_service_app
from tests.support.infra import database_url
from tests.support.processes import free_port


def _app(database: str) -> TestClient:
    router = APIRouter()

    @router.get("/things")
    def read_things() -> None:
        with engine_for(database).connect() as connection:
            connection.execute(text("SELECT 1"))

    @router.post("/things")
    def make_thing() -> None:
        raise InvalidInput(("meetings", 0, "starts_at"), "falls in a DST gap")

    app = create_service_app(
        service="probe",
        title="Probe",
        description="probe",
        engine=lambda: engine_for(database),
        routers=[router],
    )
    return TestClient(app)


@pytest.fixture()
def healthy() -> Iterator[TestClient]:
    with _app(get_settings().registry_database_url) as client:
        yield client


def test_ready_when_database_and_redis_answer(healthy: TestClient) -> None:
    response = healthy.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "redis": "ok"}
    assert healthy.get("/healthz").json() == {"status": "ok"}


def test_not_ready_when_the_database_is_down() -> None:
    missing = database_url("cohort_no_such_database").replace("5432", str(free_port()))
    with _app(missing) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("unreachable")


def test_not_ready_when_redis_is_down(monkeypatch: pytest.MonkeyPatch, healthy: TestClient) -> None:
    monkeypatch.setenv("COHORT_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")
    get_settings.cache_clear()
    try:
        response = healthy.get("/readyz")
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("unreachable")


def test_domain_errors_become_422_naming_the_field(healthy: TestClient) -> None:
    response = healthy.post("/things")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "meetings", 0, "starts_at"]
    assert "DST gap" in response.json()["detail"][0]["msg"]


def test_requests_carry_an_id_and_are_counted(healthy: TestClient) -> None:
    response = healthy.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    assert healthy.get("/healthz").headers["x-request-id"]
    metrics = healthy.get("/metrics").text
    assert re.search(
        r'cohort_http_requests_total\{.*route="/healthz".*service="probe".*\} [1-9]', metrics
    )


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_render_without_internet(healthy: TestClient, page: str) -> None:
    html = healthy.get(page).text
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html) + re.findall(
        r"url\((https?://[^)]+)\)", html
    )
    assert external == []
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', html):
        assert healthy.get(asset).status_code == 200, asset


def test_a_request_while_the_database_is_down_is_503_with_retry_after() -> None:
    missing = database_url("cohort_no_such_database").replace("5432", str(free_port()))
    with _app(missing) as client:
        response = client.get("/things")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "temporarily unavailable" in response.json()["detail"]
