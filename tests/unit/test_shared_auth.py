"""Signed bearer tokens."""

from shared.auth import Principal, Role, hash_key, issue_token, verify_token


def test_issued_token_verifies_to_its_role_and_subject() -> None:
    token = issue_token(role=Role.EDUCATOR, subject_id=42)
    assert verify_token(token) == Principal(Role.EDUCATOR, 42)


def test_token_signed_with_another_key_is_rejected() -> None:
    token = issue_token(role=Role.AFFILIATE, subject_id=7, secret="another-secret-key-123456")
    assert verify_token(token) is None


def test_tampered_claims_are_rejected() -> None:
    prefix, body, signature = issue_token(role=Role.EDUCATOR, subject_id=1).split(".")
    forged = issue_token(role=Role.OPERATOR, subject_id=1).split(".")[1]
    assert verify_token(f"{prefix}.{forged}.{signature}") is None
    assert verify_token(f"{prefix}.{body}.{signature}x") is None


def test_garbage_is_not_a_token() -> None:
    for junk in ("", "abc", "ck1..", "ck1.e30.sig", "Bearer x"):
        assert verify_token(junk) is None


def test_admin_token_is_the_operator() -> None:
    import os

    assert verify_token(os.environ["COHORT_ADMIN_TOKEN"]) == Principal(Role.OPERATOR)


def test_key_hash_is_stable_and_not_the_key() -> None:
    key = issue_token(role=Role.AFFILIATE, subject_id=3)
    assert hash_key(key) == hash_key(key) != key


def test_two_tokens_for_the_same_subject_differ() -> None:
    first = issue_token(role=Role.AFFILIATE, subject_id=9)
    second = issue_token(role=Role.AFFILIATE, subject_id=9)
    assert first != second
    assert verify_token(first) == verify_token(second) == Principal(Role.AFFILIATE, 9)
