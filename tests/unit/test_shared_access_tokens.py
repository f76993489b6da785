"""The access-token verifier: EdDSA tokens from a listed key pass; everything doubtful is None."""

import base64
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import shared.access_tokens
from shared.access_tokens import AUDIENCE, ISSUER, verify
from tests.support.imports import imported

KID = "ed25519-test"


def _jwks(key: Ed25519PrivateKey, kid: str = KID) -> dict[str, Any]:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    return {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA"}]}


def _claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {"iss": ISSUER, "aud": AUDIENCE, "sub": "7", "sid": "3", "roles": [{"role": "educator"}]}
    return base | {"iat": now, "exp": now + 900} | changes


def _token(key: Ed25519PrivateKey, kid: str = KID, **changes: Any) -> str:
    return jwt.encode(_claims(**changes), key, algorithm="EdDSA", headers={"kid": kid})


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def test_a_good_token_gives_its_claims(key: Ed25519PrivateKey) -> None:
    claims = verify(_token(key), _jwks(key))
    assert claims is not None
    assert claims["sub"] == "7" and claims["sid"] == "3" and claims["kid"] == KID


def test_expiry_allows_30_seconds_of_leeway_and_no_more(key: Ed25519PrivateKey) -> None:
    token, jwks = _token(key), _jwks(key)
    exp = _claims()["exp"]
    assert verify(token, jwks, now=exp + 29) is not None
    assert verify(token, jwks, now=exp + 31) is None
    assert verify(_token(key, exp=int(time.time()) - 60), jwks) is None


@pytest.mark.parametrize(
    "changes", [{"aud": "someone-else"}, {"iss": "someone-else"}, {"roles": "operator"}]
)
def test_wrong_audience_issuer_or_roles_are_refused(
    key: Ed25519PrivateKey, changes: dict[str, Any]
) -> None:
    assert verify(_token(key, **changes), _jwks(key)) is None


def test_a_missing_claim_is_refused(key: Ed25519PrivateKey) -> None:
    claims = _claims()
    del claims["sid"]
    token = jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": KID})
    assert verify(token, _jwks(key)) is None


def test_an_unknown_kid_or_another_key_is_refused(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    assert verify(_token(key, kid="ed25519-unknown"), _jwks(key)) is None
    assert verify(_token(other), _jwks(key)) is None


def test_a_tampered_payload_is_refused(key: Ed25519PrivateKey) -> None:
    header, payload, signature = _token(key).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["roles"] = [{"role": "operator"}]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert verify(f"{header}.{forged}.{signature}", _jwks(key)) is None


def test_hs256_signed_with_the_shared_secret_is_refused(key: Ed25519PrivateKey) -> None:
    token = jwt.encode(_claims(), "test-secret-key-0123456789abcdef", headers={"kid": KID})
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert verify(token, _jwks(key)) is None


def test_alg_none_is_refused(key: Ed25519PrivateKey) -> None:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    unsigned = f"{part({'alg': 'none', 'kid': KID})}.{part(_claims())}."
    assert verify(unsigned, _jwks(key)) is None
    signature = _token(key).rsplit(".", 1)[1]
    assert verify(unsigned + signature, _jwks(key)) is None


def test_a_private_key_in_the_jwks_or_garbage_is_refused(key: Ed25519PrivateKey) -> None:
    jwks = _jwks(key)
    jwks["keys"][0]["d"] = "secret"
    assert verify(_token(key), jwks) is None
    assert verify("not.a.token", _jwks(key)) is None
    assert verify("", _jwks(key)) is None


def test_the_verifier_is_pure() -> None:
    path = Path(shared.access_tokens.__file__)
    pure = {"base64", "binascii", "json", "time", "typing", "jwt", "cryptography"}
    assert {name.split(".")[0] for name in imported(path)} <= pure


def test_a_key_replaced_under_the_same_kid_is_used_at_once(key: Ed25519PrivateKey) -> None:
    other = Ed25519PrivateKey.generate()
    assert verify(_token(key), _jwks(key)) is not None
    assert verify(_token(key), _jwks(other)) is None
    assert verify(_token(other), _jwks(other)) is not None


def test_a_signature_or_payload_in_another_alphabet_is_refused(key: Ed25519PrivateKey) -> None:
    head, body, signature = _token(key).split(".")
    assert verify(f"{head}.{body}.{signature}", _jwks(key)) is not None
    for bad in (f"{head}.{body}.{signature}=", f"{head}.{body}+.{signature}", f"{head}.{body}.x.y"):
        assert verify(bad, _jwks(key)) is None
