"""A credit as an Open Badges 3.0 credential (an OpenBadgeCredential in the VC data model),
signed as a compact JWS (`typ: vc+jwt`) whose payload is the credential itself.

The educator is named by a salted hash of their email address, as OB 3.0 recommends where a
plain address would leak: whoever is shown the badge and knows the address can check it.
"""

import hashlib
import json
import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from services.scheduler.credits import badge_keys
from services.scheduler.models import Credit, Educator, Meeting, Offering
from shared.settings import get_settings

CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
SCHEMA = {
    "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
    "type": "1EdTechJsonSchemaValidator2019",
}


def _instant(moment: datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _awarded(completed_on: date) -> datetime:
    return datetime.combine(completed_on, time(), tzinfo=UTC)


def _identity(email: str, salt: str) -> dict[str, Any]:
    digest = hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": f"sha256${digest}",
        "identityType": "emailAddress",
        "salt": salt,
    }


def _achievement(offering: Offering, base: str) -> dict[str, Any]:
    criteria = (
        f"Attended at least {offering.completion_percent}% of the scheduled minutes of "
        f"“{offering.title}”, a {offering.program_title} training of {offering.affiliate_name}."
    )
    return {
        "id": f"{base}/?program={offering.program_code}",
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": offering.program_title,
        "description": offering.description or offering.program_title,
        "criteria": {"narrative": criteria},
        "creditsAvailable": offering.pd_hours,
        "humanCode": offering.program_code,
    }


def credential(session: Session, credit: Credit, offering: Offering) -> dict[str, Any]:
    """The OB 3.0 credential of one credit."""
    base = get_settings().cohort_portal_url.rstrip("/")
    educator = session.get(Educator, credit.educator_id)
    first, last = session.exec(
        select(func.min(Meeting.starts_at_utc), func.max(Meeting.ends_at_utc)).where(
            col(Meeting.offering_id) == offering.id
        )
    ).one()
    awarded = _instant(_awarded(credit.completed_on))
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [_identity(educator.email if educator else "", credit.certificate_id)],
        "creditsEarned": credit.hours,
        "achievement": _achievement(offering, base),
    }
    if first is not None and last is not None:
        subject |= {"activityStartDate": _instant(first), "activityEndDate": _instant(last)}
    verify = f"{base}/verify/{credit.certificate_id}"
    issuer = {
        "id": f"{base}/?affiliate={offering.affiliate_id}",
        "type": ["Profile"],
        "name": offering.affiliate_name,
        "url": base,
    }
    if offering.affiliate_contact_email:
        issuer["email"] = offering.affiliate_contact_email
    return {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, verify)}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{offering.program_title}: {credit.hours:g} PD hours",
        "description": f"{offering.title} ({offering.affiliate_name}). Verify at {verify}",
        "issuer": issuer,
        "validFrom": awarded,
        "issuanceDate": awarded,
        "awardedDate": awarded,
        "credentialSubject": subject,
        "credentialSchema": [SCHEMA],
    }


def sign(claims: dict[str, Any], key: badge_keys.BadgeKey) -> str:
    """The credential as a compact JWS signed with the issuer key (EdDSA, Ed25519)."""
    header = {"alg": "EdDSA", "typ": "vc+jwt", "kid": key.kid}
    payload = {
        **claims,
        "iss": claims["issuer"]["id"],
        "jti": claims["id"],
        "nbf": int(datetime.fromisoformat(claims["validFrom"]).timestamp()),
        "iat": int(datetime.now(UTC).timestamp()),
    }
    parts = [
        badge_keys.b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode())
        for part in (header, payload)
    ]
    signing_input = ".".join(parts).encode("ascii")
    signature = badge_keys.private_key(key).sign(signing_input)
    return f"{signing_input.decode('ascii')}.{badge_keys.b64url(signature)}"


def badge_of(session: Session, credit_id: int) -> str:
    """The signed badge of a credit (the caller has checked it is theirs and valid)."""
    credit = session.get(Credit, credit_id)
    assert credit is not None
    offering = session.get(Offering, credit.offering_id)
    assert offering is not None
    return sign(credential(session, credit, offering), badge_keys.signing_key(session=session))
