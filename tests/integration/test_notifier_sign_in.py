"""The notifier's handling of sign-in requests: one mail per link, none once the link is dead;
invitations in their own words."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from sqlalchemy import select

from services.notifier.database import runtime
from services.notifier.delivery.ledger import delivery
from shared.events import SignInRequested
from tests.support.notifier import apply, forget_deliveries, new_id, plain_text


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


def _message(email: str) -> EmailMessage:
    with runtime.engine().connect() as connection:
        query = select(delivery.c.message).where(delivery.c.recipient == email)
        (raw,) = connection.execute(query).scalars().all()
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed


def _invitation(email: str, locale: str = "en") -> SignInRequested:
    return _request(email, minutes=60 * 24 * 7, code="inv").model_copy(
        update={
            "kind": "invitation",
            "invited_by": "Olga Operator",
            "role_label": "facilitator",
            "locale": locale,
        }
    )


@pytest.mark.parametrize(
    ("locale", "subject", "wording"),
    [
        ("en", "You have been invited to Cohort", "invited to Cohort as a facilitator by Olga"),
        ("es", "Te han invitado a Cohort", "invitado a Cohort como facilitador (te invita Olga"),
    ],
)
def test_an_invitation_has_its_own_kind_subject_and_wording_and_the_same_link(
    email: str, locale: str, subject: str, wording: str
) -> None:
    runtime.migrate()
    apply(_invitation(email, locale), times=2)
    assert [kind for kind, _ in _rows(email)] == ["invitation"]
    message = _message(email)
    assert message["Subject"] == subject and message["X-Cohort-Kind"] == "invitation"
    text = plain_text(message)
    assert wording in " ".join(text.split())
    assert "http://127.0.0.1:8000/sign-in/confirm?code=inv" in text


def test_an_event_of_version_one_without_a_kind_is_a_sign_in() -> None:
    event = SignInRequested.model_validate(
        {"email": "a@example.org", "link": "http://x/y", "expires_at": "2030-01-01T00:00:00Z"}
    )
    assert (event.kind, event.invited_by, event.role_label) == ("sign_in", None, None)
