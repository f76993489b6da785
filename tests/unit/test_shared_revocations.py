"""Which verified tokens a revocation list refuses, and how long it keeps a revocation."""

import time
from datetime import UTC, datetime, timedelta

from shared.auth import Principal, Role
from shared.revocations import is_revoked, kept_until
from shared.settings import Settings

REVOKED_AT = 1_800_000_000.0


def _caller(sid: str = "session:12", sub: str = "42", iat: int = int(REVOKED_AT)) -> Principal:
    return Principal(
        person_id=int(sub) if sub.isdecimal() else None,
        roles=frozenset({Role.EDUCATOR}),
        session_id=sid,
        subject=sub,
        issued_at=iat,
    )


def test_an_empty_list_refuses_nothing() -> None:
    assert not is_revoked(_caller(), {})


def test_a_revoked_sid_refuses_every_token_of_that_session_whenever_issued() -> None:
    revoked = {"sid:session:12": REVOKED_AT}
    assert is_revoked(_caller(iat=int(REVOKED_AT) - 600), revoked)
    assert is_revoked(_caller(iat=int(REVOKED_AT) + 600), revoked)


def test_another_session_of_the_same_person_is_not_refused() -> None:
    assert not is_revoked(_caller(sid="session:13"), {"sid:session:12": REVOKED_AT})


def test_an_api_key_sid_is_matched_as_written() -> None:
    revoked = {"sid:key:5": REVOKED_AT}
    assert is_revoked(_caller(sid="key:5", sub="key:5"), revoked)
    assert not is_revoked(_caller(sid="key:50", sub="key:50"), revoked)


def test_a_revoked_sub_refuses_tokens_issued_up_to_the_revocation_only() -> None:
    revoked = {"sub:42": REVOKED_AT}
    assert is_revoked(_caller(iat=int(REVOKED_AT) - 1), revoked)
    assert is_revoked(_caller(iat=int(REVOKED_AT)), revoked)
    assert not is_revoked(_caller(iat=int(REVOKED_AT) + 1), revoked)


def test_a_sub_revocation_names_one_subject_and_never_matches_a_sid() -> None:
    revoked = {"sub:42": REVOKED_AT}
    assert not is_revoked(_caller(sub="420"), revoked)
    assert not is_revoked(_caller(sid="42", sub="7"), revoked)
    assert not is_revoked(_caller(sid="session:42", sub="7"), {"sid:42": REVOKED_AT})


def test_a_revocation_is_kept_for_the_token_lifetime_plus_leeway_at_most_fifteen_minutes() -> None:
    at = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
    assert kept_until(at, Settings(cohort_access_token_ttl=600)) == at + timedelta(seconds=630)
    assert kept_until(at, Settings(cohort_access_token_ttl=7200)) == at + timedelta(seconds=930)


def test_checking_a_token_costs_next_to_nothing() -> None:
    revoked = {f"sid:session:{n}": REVOKED_AT for n in range(10_000)} | {"sub:42": REVOKED_AT}
    caller = _caller(sid="session:live", iat=int(REVOKED_AT) + 5)
    started = time.process_time()
    for _ in range(10_000):
        is_revoked(caller, revoked)
    assert (time.process_time() - started) / 10_000 < 20e-6
