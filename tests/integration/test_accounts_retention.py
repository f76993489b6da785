"""Accounts: spent sign-in codes and ended sessions are deleted after their keeping period."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from services.accounts.database import forget_spent_credentials, runtime
from services.accounts.models import AccountSession, SignInCode
from tests.support.accounts import accounts_client, ask_code, new_address, reset_limits, sign_in


def _codes_of(*emails: str) -> list[str]:
    with Session(runtime.engine()) as session:
        query = select(SignInCode.email).where(col(SignInCode.email).in_(emails))
        return list(session.exec(query).all())


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with accounts_client() as client:
        reset_limits()
        yield client


def test_spent_codes_and_ended_sessions_go_live_ones_stay(client: TestClient) -> None:
    used, waiting = new_address().lower(), new_address().lower()
    signed_in = sign_in(client, used)
    ask_code(client, waiting)
    person_id = signed_in["person"]["id"]
    forget_spent_credentials(runtime.engine())
    assert set(_codes_of(used, waiting)) == {used, waiting}  # both still within their day
    in_two_days = datetime.now(UTC) + timedelta(days=2)
    forget_spent_credentials(runtime.engine(), now=in_two_days)
    emails = _codes_of(used, waiting)
    with Session(runtime.engine()) as session:
        live = session.exec(
            select(AccountSession).where(AccountSession.person_id == person_id)
        ).all()
    assert set(emails) == set()  # the used code is a day past use, the other past expiry
    assert len(live) == 1
    forget_spent_credentials(runtime.engine(), now=in_two_days + timedelta(days=40))
    with Session(runtime.engine()) as session:
        gone = session.exec(
            select(AccountSession).where(AccountSession.person_id == person_id)
        ).all()
    assert gone == []
