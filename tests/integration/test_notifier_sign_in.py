"""The notifier's handling of sign-in requests: one mail per link, none once the link is dead."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from shared.events import SignInRequested
from tests.support.notifier import apply, forget_deliveries, new_id


@pytest.fixture()
def email() -> Iterator[str]:
    address = f"sign-in-{new_id()}@schools.example.org"
    yield address
    forget_deliveries(address)


def _rows(email: str) -> list[tuple[str, str]]:
    with runtime.engine().connect() as connection:
        query = select(delivery.c.kind, delivery.c.status).where(delivery.c.recipient == email)
        return [tuple(row) for row in connection.execute(query)]


def _request(email: str, *, minutes: float, code: str = "abc") -> SignInRequested:
    return SignInRequested(
        email=email,
        link=f"http://127.0.0.1:8000/sign-in/confirm?code={code}",
        expires_at=datetime.now(UTC) + timedelta(minutes=minutes),
    )


def test_one_mail_per_link_however_often_the_event_comes(email: str) -> None:
    runtime.migrate()
    apply(_request(email, minutes=15), times=2)
    assert [kind for kind, _ in _rows(email)] == ["sign_in"]
    apply(_request(email, minutes=15, code="another"))
    assert [kind for kind, _ in _rows(email)] == ["sign_in", "sign_in"]


def test_a_link_already_expired_is_not_mailed(email: str) -> None:
    runtime.migrate()
    apply(_request(email, minutes=-1))
    assert _rows(email) == []
