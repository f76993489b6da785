"""Open Badges 3.0: each valid credit is exported as a signed credential (`vc+jwt`) that passes
1EdTech's published JSON Schema and verifies, with two JOSE libraries other than the signer's
code, against the key the scheduler publishes; a tampered badge fails; others' badges are 404."""

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import jwt
import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.errors import BadSignatureError
from joserfc.jwk import OKPKey

from tests.integration.test_scheduler_credits import _finalize, three_meetings
from tests.support.tokens import bearer, member_token

SCHEMA = json.loads(
    (
        Path(__file__).parents[1] / "support" / "vendor" / "openbadges"
        / "achievementcredential.schema.json"
    ).read_text(encoding="utf-8")
)  # fmt: skip
__all__ = ["three_meetings"]  # the fixture, used by name


def _validator() -> jsonschema.Draft201909Validator:
    return jsonschema.Draft201909Validator(
        SCHEMA, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def badge(
    client: TestClient, admin_headers: dict[str, str], three_meetings: dict[str, Any]
) -> dict[str, Any]:
    """The first educator's credit, its badge as they fetch it, and the published JWKS."""
    done = _finalize(client, three_meetings["cohort"], admin_headers).json()["completed"]
    educator = three_meetings["educators"][0]
    credit_id = done[0]["credit_id"]
    answer = client.get(f"/credits/{credit_id}/badge", headers=educator["headers"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vc+jwt")
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200 and jwks.headers["cache-control"].startswith("public")
    return {
        "token": answer.text,
        "jwks": jwks.json(),
        "credit_id": credit_id,
        "educator": educator,
        "course": three_meetings,
    }


def _key(jwks: dict[str, Any], token: str) -> dict[str, Any]:
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "EdDSA" and header["typ"] == "vc+jwt"
    (found,) = [key for key in jwks["keys"] if key["kid"] == header["kid"]]
    return dict(found)


def test_the_badge_passes_the_schema_and_verifies_with_the_published_key(
    badge: dict[str, Any],
) -> None:
    key = _key(badge["jwks"], badge["token"])
    claims = jwt.decode(badge["token"], jwt.PyJWK(key).key, algorithms=["EdDSA"])
    decoded = jws.deserialize_compact(badge["token"], OKPKey.import_key(key), algorithms=["EdDSA"])
    assert json.loads(decoded.payload) == claims

    assert sorted(_validator().iter_errors(claims), key=str) == []
    assert {"VerifiableCredential", "OpenBadgeCredential"} <= set(claims["type"])
    subject = claims["credentialSubject"]
    assert subject["creditsEarned"] == 6.0 and subject["achievement"]["creditsAvailable"] == 6.0
    assert subject["achievement"]["humanCode"] == badge["course"]["program"]
    (identity,) = subject["identifier"]
    email = badge["educator"]["email"].lower()
    expected = hashlib.sha256((email + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert email not in json.dumps(claims), "the address itself is never in the badge"
    assert claims["iss"] == claims["issuer"]["id"] and claims["jti"] == claims["id"]
    assert "/verify/" in claims["description"]


def test_a_tampered_badge_fails_both_verifiers(badge: dict[str, Any]) -> None:
    key = _key(badge["jwks"], badge["token"])
    header, payload, signature = badge["token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["creditsEarned"] = 60.0
    forged = ".".join([header, _b64(json.dumps(claims).encode()), signature])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, jwt.PyJWK(key).key, algorithms=["EdDSA"])
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(forged, OKPKey.import_key(key), algorithms=["EdDSA"])
    other = OKPKey.generate_key("Ed25519")
    with pytest.raises(BadSignatureError):
        jws.deserialize_compact(badge["token"], other, algorithms=["EdDSA"])


def test_the_schema_is_no_rubber_stamp(badge: dict[str, Any]) -> None:
    claims = jwt.decode(badge["token"], options={"verify_signature": False})
    del claims["credentialSubject"]["achievement"]
    assert list(_validator().iter_errors(claims)), "a credential without its achievement"
    claims = jwt.decode(badge["token"], options={"verify_signature": False})
    claims["credentialSubject"]["identifier"][0]["identityType"] = "shoe size"
    assert list(_validator().iter_errors(claims))


def test_only_the_educator_and_the_operator_get_it_and_a_revoked_credit_has_none(
    client: TestClient, admin_headers: dict[str, str], badge: dict[str, Any]
) -> None:
    path = f"/credits/{badge['credit_id']}/badge"
    other = badge["course"]["educators"][2]["headers"]
    assert client.get(path, headers=other).status_code == 404
    assert client.get(path, headers=bearer(member_token(5151, "admin"))).status_code == 404
    assert client.get(path).status_code == 401
    assert client.get("/credits/999999999/badge", headers=admin_headers).status_code == 404
    assert client.get(path, headers=admin_headers).status_code == 200
    revoked = client.post(
        f"/credits/{badge['credit_id']}/revoke", json={"reason": "forged"}, headers=admin_headers
    )
    assert revoked.status_code == 200
    assert client.get(path, headers=badge["educator"]["headers"]).status_code == 409


def test_one_issuer_key_signs_every_badge(client: TestClient, badge: dict[str, Any]) -> None:
    again = client.get(f"/credits/{badge['credit_id']}/badge", headers=badge["educator"]["headers"])
    kid = _key(badge["jwks"], badge["token"])["kid"]
    assert jwt.get_unverified_header(again.text)["kid"] == kid
    assert client.get("/.well-known/jwks.json").json() == badge["jwks"]
    assert all("d" not in key for key in badge["jwks"]["keys"]), "no private half is published"
