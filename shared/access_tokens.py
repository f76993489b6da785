"""Verifying the accounts service's access tokens: EdDSA JWTs checked against its public keys.

Pure: no network call, no database. A service holds the accounts JWKS (fetched and cached by the
caller) and asks `verify(token, jwks)` for the claims; anything doubtful answers None.
"""

import base64
import binascii
import json
import time
from typing import Any

import jwt
from cryptography.exceptions import InvalidSignature

ALGORITHM = "EdDSA"
ISSUER = "cohort-accounts"
AUDIENCE = "cohort"
LEEWAY_SECONDS = 30
REQUIRED_CLAIMS = ("kid", "sub", "roles", "sid", "iat", "exp", "iss", "aud")

Claims = dict[str, Any]
Jwks = dict[str, Any]

# Parsed once, then looked up: a few keys sign every token, and every token one key signs carries
# the same encoded header. Bounded, since a caller may send headers and keys that are not ours.
CACHED_ENTRIES = 64
CACHED_HEADER_CHARS = 512
_headers: dict[str, dict[str, Any]] = {}
_keys: dict[str, jwt.PyJWK] = {}


def _header_of(token: str) -> dict[str, Any] | None:
    """The token's unverified header (None when the token is malformed)."""
    segment = token.partition(".")[0]
    header = _headers.get(segment)
    if header is None:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return None
        if len(segment) <= CACHED_HEADER_CHARS:
            _remember(_headers, segment, header)
    return header


def _key_for(kid: object, jwks: Jwks) -> jwt.PyJWK | None:
    """The public key the JWKS lists under `kid`, when it is an Ed25519 signing key."""
    for entry in jwks.get("keys", []):
        if isinstance(entry, dict) and entry.get("kid") == kid:
            if entry.get("kty") != "OKP" or entry.get("crv") != "Ed25519" or "d" in entry:
                return None
            return _parsed(entry)
    return None


def _parsed(entry: dict[str, Any]) -> jwt.PyJWK | None:
    """The JWKS entry as a key, built once per distinct entry."""
    # The keys are unique strings, so sorting never compares the values.
    cache_key = repr(sorted(entry.items()))
    key = _keys.get(cache_key)
    if key is None:
        try:
            key = jwt.PyJWK(entry, algorithm=ALGORITHM)
        except jwt.PyJWTError:
            return None
        _remember(_keys, cache_key, key)
    return key


def _remember(cache: dict[str, Any], name: str, value: object) -> None:
    if len(cache) >= CACHED_ENTRIES:
        cache.clear()
    cache[name] = value


def _b64(segment: str) -> bytes:
    padded = segment + "=" * (-len(segment) % 4)
    return base64.b64decode(padded.encode("ascii"), altchars=b"-_", validate=True)


def _signed_claims(token: str, key: jwt.PyJWK) -> Claims | None:
    """The payload, if the signature over header and payload is the key's (PyJWT's decode
    does the same and more we never need, at twice the cost)."""
    head, _, rest = token.partition(".")
    body, _, signature = rest.partition(".")
    # Compact JWS segments are unpadded base64url: anything else is not a token we signed.
    if not body or not signature or "." in signature or "=" in token:
        return None
    try:
        key.key.verify(_b64(signature), f"{head}.{body}".encode("ascii"))
        claims = json.loads(_b64(body))
    except (InvalidSignature, ValueError, UnicodeError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def _claims_hold(claims: Claims, *, audience: str, issuer: str, now: float) -> bool:
    """Issuer, audience, the required claims, and the times (with the leeway)."""
    aud = claims.get("aud")
    if claims.get("iss") != issuer or not (
        aud == audience or (isinstance(aud, list) and audience in aud)
    ):
        return False
    if any(name not in claims for name in ("sub", "sid", "iat", "exp")):
        return False
    exp, iat = claims["exp"], claims["iat"]
    if not _number(exp) or not _number(iat) or exp + LEEWAY_SECONDS < now:
        return False
    return iat <= now + LEEWAY_SECONDS and isinstance(claims.get("roles"), list)


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def verify(
    token: str,
    jwks: Jwks,
    *,
    audience: str = AUDIENCE,
    issuer: str = ISSUER,
    now: float | None = None,
) -> Claims | None:
    """The token's claims when it is an unexpired EdDSA token for `audience` from `issuer`,
    signed by a key of `jwks`; None for anything else (alg none or HS*, unknown kid, tampered)."""
    header = _header_of(token)
    if header is None or header.get("alg") != ALGORITHM:
        return None
    key = _key_for(header.get("kid"), jwks)
    if key is None:
        return None
    moment = time.time() if now is None else now
    claims = _signed_claims(token, key)
    if claims is None or not _claims_hold(claims, audience=audience, issuer=issuer, now=moment):
        return None
    return claims | {"kid": header["kid"]}
