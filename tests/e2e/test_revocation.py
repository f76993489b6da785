"""Revoked access tokens are refused by the registry, the scheduler and the notifier within 5 s:
a signed-out session's (through accounts and every worker, as real processes), and a person's
tokens issued up to a `sub:` revocation, while others keep working."""

import json
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import select
from sqlmodel import Session

from shared.bus import Publisher
from shared.db import engine_for
from shared.events import AccessRevoked
from shared.outbox import Outbox
from shared.settings import Settings
from tests.e2e.harness import (
    Stack,
    architecture_commands,
    base_environment,
    free_ports,
    infrastructure,
    run_stack,
)
from tests.support.tokens import next_person_id, sign

pytestmark = pytest.mark.e2e

WITHIN_SECONDS = 5.0
# One authenticated read per service, and what it answers a live educator (the notifier's ledger
# is for operators: 403 still tells a verified token from a refused one, which is 401).
PROBES = {"registry": "/programs", "scheduler": "/registrations", "notifier": "/deliveries"}
EDUCATOR_ANSWERS = {"registry": 200, "scheduler": 200, "notifier": 403}
OPERATOR_ANSWERS = {"registry": 200, "scheduler": 200, "notifier": 200}


@dataclass(frozen=True)
class Running:
    """The stack and the accounts database and Redis it runs on."""

    stack: Stack
    accounts_db: str
    redis_url: str


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    """Every process of ARCHITECTURE.md; the APIs trust accounts' keys and the test key."""
    log_dir = tmp_path_factory.mktemp("revocation-logs")
    with infrastructure() as (databases, redis_url, sink):
        ports = free_ports()
        env = base_environment(databases, redis_url, sink) | {
            "COHORT_ACCOUNTS_URL": f"http://127.0.0.1:{ports['accounts']}",
            "COHORT_TEST_JWKS": os.environ["COHORT_TEST_JWKS"],
        }
        commands = architecture_commands(ports, log_dir / "beat-schedule")
        with run_stack(commands, env, ports, sink, log_dir) as stack:
            yield Running(stack, databases["accounts"], redis_url)


def _base(stack: Stack, service: str) -> str:
    return str(getattr(stack, service))


def _answers(stack: Stack, token: str) -> dict[str, int]:
    headers = {"Authorization": f"Bearer {token}"}
    return {
        service: httpx.get(_base(stack, service) + path, headers=headers, timeout=5).status_code
        for service, path in PROBES.items()
    }


def _refused_everywhere_within(stack: Stack, token: str, seconds: float) -> float:
    """Seconds until every service answers 401 to `token`; fails past `seconds`."""
    started = time.monotonic()
    while True:
        answers = _answers(stack, token)
        elapsed = time.monotonic() - started
        if all(code == 401 for code in answers.values()):
            return elapsed
        assert elapsed < seconds, f"still accepted after {elapsed:.1f} s: {answers}\n{stack.logs()}"
        time.sleep(0.1)


def _sign_in(running: Running, email: str) -> dict[str, str]:
    """Sign in through accounts, the code read from its outbox (as the mailed link carries it)."""
    accounts = running.stack.accounts
    assert httpx.post(f"{accounts}/sign-in", json={"email": email}).status_code == 202
    redeemed = httpx.post(f"{accounts}/sign-in/redeem", json={"code": _latest_code(running, email)})
    assert redeemed.status_code == 200, redeemed.text
    body: dict[str, str] = redeemed.json()
    return body


def _latest_code(running: Running, email: str) -> str:
    from services.accounts.database import runtime

    outbox = runtime.bus_tables.outbox
    query = select(outbox.c.payload).where(outbox.c.type == "sign_in.requested")
    with engine_for(running.accounts_db).connect() as connection:
        payloads = [
            json.loads(p) for p in connection.execute(query.order_by(outbox.c.id)).scalars()
        ]
    (link,) = [p["data"]["link"] for p in payloads if p["data"]["email"] == email][-1:]
    (code,) = parse_qs(urlsplit(link).query)["code"]
    return code


def _record_in_accounts_outbox(running: Running, event: AccessRevoked) -> None:
    """Write the event to the accounts outbox and commit: it is sent as accounts sends it."""
    from services.accounts.database import runtime

    publisher = Publisher(settings=Settings(cohort_redis_url=running.redis_url))
    outbox = Outbox(service="accounts", tables=runtime.bus_tables, publisher=publisher)
    with Session(engine_for(running.accounts_db)) as session:
        outbox.record(session, event)
        session.commit()


def _expect(stack: Stack, token: str, answers: dict[str, int]) -> None:
    assert _answers(stack, token) == answers


def test_a_signed_out_sessions_tokens_are_refused_everywhere_within_5_s(running: Running) -> None:
    email = f"ana.{uuid.uuid4().hex[:8]}@schools.example.org"
    leaving, staying = _sign_in(running, email), _sign_in(running, email)
    stack = running.stack
    for signed_in in (leaving, staying):
        _expect(stack, signed_in["access_token"], EDUCATOR_ANSWERS)

    signed_out = httpx.post(
        f"{stack.accounts}/sign-out",
        headers={"Authorization": f"Bearer {leaving['session_token']}"},
    )
    assert signed_out.status_code == 204

    took = _refused_everywhere_within(stack, leaving["access_token"], WITHIN_SECONDS)
    print(f"signed-out session refused by every service after {took:.2f} s")
    _expect(stack, staying["access_token"], EDUCATOR_ANSWERS)


def _operator_token(person_id: int, issued_at: float) -> str:
    claims = {"sub": str(person_id), "sid": f"session:{uuid.uuid4().hex}", "iat": int(issued_at)}
    return sign(claims | {"roles": [{"role": "operator"}], "name": "Olga Operator"})


def test_a_person_revoked_as_a_whole_keeps_only_tokens_issued_afterwards(
    running: Running,
) -> None:
    person_id, now = next_person_id(), time.time()
    revoked_at = now - 10
    before = _operator_token(person_id, issued_at=revoked_at - 10)
    after = _operator_token(person_id, issued_at=now)
    for token in (before, after):
        _expect(running.stack, token, OPERATOR_ANSWERS)

    _record_in_accounts_outbox(
        running,
        AccessRevoked(
            key=f"sub:{person_id}",
            revoked_at=datetime.fromtimestamp(revoked_at, UTC),
            reason="removed",
        ),
    )

    took = _refused_everywhere_within(running.stack, before, WITHIN_SECONDS)
    print(f"person's earlier token refused by every service after {took:.2f} s")
    _expect(running.stack, after, OPERATOR_ANSWERS)
