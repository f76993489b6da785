"""Callers from access tokens: claims to principals, keys from a cached JWKS, revocation hooks."""

import json
import os
from typing import Any

import anyio
import pytest

from shared import auth
from shared.auth import MemberRole, Principal, Role, principal_from, verify_access_token
from shared.keyring import Keyring
from tests.support import tokens


def _claims(**changes: object) -> dict[str, object]:
    base = {"sub": "12", "sid": "session:3", "iat": 1, "roles": [{"role": "educator"}]}
    return base | changes


def test_claims_become_a_principal_with_roles_and_memberships() -> None:
    roles = [
        {"role": "educator"},
        {"role": "affiliate", "affiliate_id": 4, "member_role": "viewer"},
        {"role": "affiliate", "affiliate_id": 9, "member_role": "editor"},
    ]
    principal = principal_from(_claims(roles=roles, name="Ana", email="ana@x.org"))
    assert principal is not None
    assert principal.person_id == 12 and principal.educator_id == 12
    assert principal.roles == {Role.EDUCATOR, Role.AFFILIATE}
    assert principal.member_of(4) and not principal.member_of(4, MemberRole.EDITOR)
    assert principal.affiliates(MemberRole.ADMIN, MemberRole.EDITOR) == [9]
    assert principal.facilitator_id is None and not principal.is_operator
    assert principal.audit_name == "Ana (person 12)"


def test_bootstrap_operator_has_no_person() -> None:
    principal = principal_from(_claims(sub="bootstrap", roles=[{"role": "operator"}]))
    assert principal is not None and principal.person_id is None and principal.is_operator
    assert principal.audit_name == "bootstrap"


@pytest.mark.parametrize(
    "roles",
    [
        [{"role": "wizard"}],
        [{"role": "affiliate", "affiliate_id": "4", "member_role": "admin"}],
        [{"role": "affiliate", "affiliate_id": 0, "member_role": "admin"}],
        [{"role": "affiliate", "affiliate_id": 4, "member_role": "owner"}],
        [{"role": "affiliate"}],
        ["educator"],
    ],
)
def test_malformed_roles_give_no_principal(roles: object) -> None:
    assert principal_from(_claims(roles=roles)) is None


def test_keyring_fetches_again_only_for_an_unseen_kid(monkeypatch: pytest.MonkeyPatch) -> None:
    fetched: list[int] = []
    published = json.loads(tokens.test_key_env()["COHORT_TEST_JWKS"])

    def fetch() -> dict[str, object]:
        fetched.append(1)
        return published

    ring = Keyring(fetch)
    assert ring.needs_fetch("test-key")
    ring.refresh()
    assert not ring.needs_fetch("test-key") and ring.knows("test-key")
    assert not ring.needs_fetch("unseen"), "a second fetch waits out the gap"
    clock = [0.0]
    monkeypatch.setattr("shared.keyring.time.monotonic", lambda: clock[0] + 10**6)
    assert ring.needs_fetch("unseen")


def test_keyring_keeps_its_keys_when_accounts_is_unreachable() -> None:
    answers: list[dict[str, Any]] = [{"keys": [{"kid": "a"}]}, {"keys": []}]
    ring = Keyring(lambda: answers.pop(0))
    ring.refresh()
    ring.refresh()
    assert ring.knows("a")


def test_a_registered_revocation_check_refuses_the_token() -> None:
    token = tokens.educator_token(tokens.next_person_id(), "ana@x.org")
    assert isinstance(verify_access_token(token), Principal)
    refused: list[str] = []

    def check(principal: Principal) -> bool:
        refused.append(principal.session_id)
        return True

    assert verify_access_token(token, [check]) is None and refused


def test_other_keys_and_other_algorithms_are_refused() -> None:
    assert verify_access_token(tokens.sign_with_another_key()) is None
    assert verify_access_token("ck1.abc.def") is None
    assert verify_access_token("") is None


def _ring_on_a_clock(monkeypatch: pytest.MonkeyPatch, answers: list[dict[str, Any]]) -> Keyring:
    """A keyring fetched once (the first answer) ten seconds ago, installed for `auth`."""
    clock = [1000.0]
    monkeypatch.setattr("shared.keyring.time.monotonic", lambda: clock[0])
    ring = Keyring(lambda: answers.pop(0))
    ring.refresh()
    clock[0] += 10
    monkeypatch.setattr(auth, "keyring", ring)
    return ring


def test_verify_async_fetches_again_for_a_token_of_a_key_published_since(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published = json.loads(os.environ["COHORT_TEST_JWKS"])
    answers: list[dict[str, Any]] = [{"keys": []}, published]
    _ring_on_a_clock(monkeypatch, answers)
    token = tokens.educator_token(tokens.next_person_id(), "ana@x.org")
    assert anyio.run(auth.verify_async, token) is not None
    assert not answers


def test_verify_async_fetches_nothing_for_a_bad_token_of_a_known_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published = json.loads(os.environ["COHORT_TEST_JWKS"])
    answers: list[dict[str, Any]] = [published, {"keys": []}]
    _ring_on_a_clock(monkeypatch, answers)
    assert anyio.run(auth.verify_async, tokens.sign_with_another_key()) is None
    assert len(answers) == 1
