"""Sign-in codes: asked for by address, mailed as a link, redeemed once before they expire."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from services.accounts.database import runtime
from services.accounts.models import AccountSession, Person, SignInCode
from services.accounts.people import service as people
from services.accounts.sign_in import events
from services.accounts.tokens import sessions
from shared.columns import as_utc, utcnow
from shared.settings import get_settings


class CodeRefused(Exception):
    """The code is used, expired or unknown (the caller is not told which)."""


@dataclass(frozen=True)
class Redeemed:
    """What redeeming a code made: the person, their new session and its token."""

    person: Person
    session: AccountSession
    session_token: str


def request_sign_in(
    *,
    session: Session,
    email: str,
    name: str | None,
    timezone: str | None = None,
    locale: str = "en",
) -> None:
    """Store a new code's hash and record `sign_in.requested` with its link, in one commit.

    Known and unknown addresses are treated alike: nothing about the person is read here. The
    event carries the link itself (whoever mails it needs it); the outbox row keeps it until the
    bus retention purges it, long after the code has expired."""
    ttl = timedelta(seconds=get_settings().cohort_sign_in_code_ttl)
    issue_code(session=session, email=email, name=name, timezone=timezone, locale=locale, ttl=ttl)
    session.commit()


def issue_code(
    *,
    session: Session,
    email: str,
    name: str | None,
    timezone: str | None,
    locale: str,
    ttl: timedelta,
    invitation: events.Invitation | None = None,
) -> None:
    """Store a new code for the address, living `ttl`, and record the event that mails its link
    (an invitation's when `invitation` is given); not committed."""
    code = secrets.token_urlsafe(32)
    address = people.normalise_email(email)
    expires_at = utcnow() + ttl
    session.add(
        SignInCode(
            code_hash=sessions.digest(code),
            email=address,
            name=name,
            timezone=timezone,
            locale=locale,
            expires_at=expires_at,
        )
    )
    event = events.sign_in_requested(
        email=address,
        name=name,
        locale=locale,
        code=code,
        expires_at=expires_at,
        invitation=invitation,
    )
    runtime.outbox.record(session, event)


def redeem_code(*, session: Session, code: str) -> Redeemed:
    """Use the code up: the address is proven, so its person exists from now on (created when
    new, marked proven when invited), and gets a session. Raises CodeRefused for a used, expired
    or unknown code.

    Two codes of one new address redeemed at once both try to create the person: the loser's
    unique violation rolls its transaction back (the code unused again) and it runs once more."""
    try:
        return _redeem(session=session, code=code)
    except IntegrityError:
        session.rollback()
        return _redeem(session=session, code=code)


def _redeem(*, session: Session, code: str) -> Redeemed:
    query = select(SignInCode).where(SignInCode.code_hash == sessions.digest(code))
    row = session.exec(query.with_for_update()).first()
    now = utcnow()
    if row is None or row.used_at is not None or as_utc(row.expires_at) <= now:
        session.rollback()
        raise CodeRefused()
    row.used_at = now
    session.add(row)
    person = people.prove_person(
        session=session, email=row.email, name=row.name, timezone=row.timezone, locale=row.locale
    )
    opened, token = sessions.open_session(session=session, person=person)
    session.commit()
    return Redeemed(person=person, session=opened, session_token=token)
