"""Hostile transport input on a real uvicorn: oversized bodies, odd request ids, odd tokens."""

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.processes import BIN, Process, free_port, running, wait_http

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, test_env: dict[str, str]) -> Iterator[str]:
    port = free_port()
    argv = [str(BIN / "uvicorn"), "services.registry.main:app", "--port", str(port)]
    log_dir: Path = tmp_path_factory.mktemp("web-limits")
    with running(Process("registry", argv, test_env, log_dir)) as (process,):
        wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
        yield f"http://127.0.0.1:{port}"


def _operator(test_env: dict[str, str]) -> dict[str, str]:
    from tests.support.tokens import bearer, operator_token

    return bearer(operator_token())


def test_a_declared_body_over_one_mib_is_refused_with_413(
    registry: str, test_env: dict[str, str]
) -> None:
    body = b'{"name": "' + b"x" * (5 * MIB) + b'"}'
    response = httpx.post(
        f"{registry}/programs",
        content=body,
        headers={**_operator(test_env), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "request body over" in response.json()["detail"]


def test_a_chunked_body_is_cut_off_once_it_passes_one_mib(
    registry: str, test_env: dict[str, str]
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(5 * 16):
            yield b"x" * (64 * 1024)
        yield b'"}'

    response = httpx.post(
        f"{registry}/programs",
        content=chunks(),
        headers={**_operator(test_env), "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_a_body_under_the_limit_is_read_as_usual(registry: str, test_env: dict[str, str]) -> None:
    response = httpx.post(f"{registry}/programs", json={"code": "x"}, headers=_operator(test_env))
    assert response.status_code == 422


@pytest.mark.parametrize("body", [b"\xff", b"\xc3(", b'{"code": "\xe9"}'])
def test_a_body_that_is_not_utf8_is_invalid_json_422(
    registry: str, test_env: dict[str, str], body: bytes
) -> None:
    response = httpx.post(
        f"{registry}/programs",
        content=body,
        headers={**_operator(test_env), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["type"] == "json_invalid" and error["loc"][0] == "body"


def test_other_http_errors_keep_their_status_and_headers(registry: str) -> None:
    response = httpx.get(f"{registry}/affiliates")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert httpx.get(f"{registry}/no-such-route").status_code == 404


def _raw_get(base: str, path: str, header: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" + header + b"\r\n\r\n")
        return sock.recv(65536)


def test_a_request_id_that_is_not_utf8_gets_a_fresh_one(registry: str) -> None:
    answer = _raw_get(registry, "/healthz", b"X-Request-ID: \xff\xfe\r\nConnection: close")
    assert answer.startswith(b"HTTP/1.1 200")
    assert b"\xff" not in answer


def test_a_request_id_with_odd_characters_is_not_echoed(registry: str) -> None:
    response = httpx.get(f"{registry}/healthz", headers={"X-Request-ID": "a b<script>"})
    assert response.status_code == 200
    assert response.headers["x-request-id"] != "a b<script>"
    kept = httpx.get(f"{registry}/healthz", headers={"X-Request-ID": "req-42.a:b_c"})
    assert kept.headers["x-request-id"] == "req-42.a:b_c"


def test_a_bearer_token_with_non_ascii_bytes_is_401(registry: str) -> None:
    answer = _raw_get(
        registry, "/affiliates", b"Authorization: Bearer ck1.e30.\xe9\xe9\r\nConnection: close"
    )
    assert answer.startswith(b"HTTP/1.1 401")
