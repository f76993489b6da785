"""Exchanging a long-lived credential (a session, an API key, or the bootstrap operator token) for
an access token.

Claims: `sub` the person's id (`bootstrap` for COHORT_ADMIN_TOKEN, `key:<id>` for an affiliate
key), `sid` the credential (`session:<id>`, `key:<id>`, `bootstrap`), `roles`, and for a person
`email`, `name`, `zoneinfo`, `locale`. Roles are read now, so a change shows in the next token.
"""

import hmac
from typing import Any

from sqlmodel import Session

from services.accounts import access, revocation
from services.accounts.api_keys import service as api_keys
from services.accounts.models import ApiKey, Person
from services.accounts.people import service as people
from services.accounts.tokens import issue, sessions
from shared.settings import get_settings

OPERATOR_ROLES: list[dict[str, Any]] = [{"role": "operator"}]


def exchange_credential(*, session: Session, credential: str) -> issue.AccessToken | None:
    """An access token for whoever holds `credential`, or None when it opens nothing."""
    admin_token = get_settings().cohort_admin_token
    if admin_token is not None and hmac.compare_digest(credential.encode(), admin_token.encode()):
        return _bootstrap_token(session, access.BOOTSTRAP)
    if credential.startswith(api_keys.KEY_PREFIX):
        key = api_keys.live_key(session=session, key=credential)
        return None if key is None else _key_token(session, key)
    row = sessions.live_session(session=session, token=credential)
    if row is None:
        return None
    assert row.id is not None
    return _person_token(session, row.person_id, revocation.session_sid(row.id))


def _bootstrap_token(session: Session, sid: str) -> issue.AccessToken:
    return issue.mint_access_token(
        session=session, subject=access.BOOTSTRAP, roles=OPERATOR_ROLES, session_id=sid
    )


def _key_token(session: Session, key: ApiKey) -> issue.AccessToken | None:
    assert key.id is not None
    sid = revocation.api_key_sid(key.id)
    if key.affiliate_id is not None:
        role = {
            "role": "affiliate",
            "affiliate_id": key.affiliate_id,
            "member_role": key.member_role,
        }
        return issue.mint_access_token(session=session, subject=sid, roles=[role], session_id=sid)
    if key.person_id is None:
        return _bootstrap_token(session, sid)
    return _person_token(session, key.person_id, sid)


def _person_token(session: Session, person_id: int, sid: str) -> issue.AccessToken | None:
    person = session.get(Person, person_id)
    if person is None or person.verified_at is None:
        return None
    return issue.mint_access_token(
        session=session,
        subject=str(person.id),
        roles=people.roles_of(session=session, person=person),
        session_id=sid,
        profile={
            "email": person.email,
            "name": person.name,
            "zoneinfo": person.timezone,
            "locale": person.locale,
        },
    )
