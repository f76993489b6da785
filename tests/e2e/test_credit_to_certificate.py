"""From attendance to a certificate anyone can verify, across the running services: the
scheduler's credit reaches the notifier by its outbox and queue, the certificate is mailed
through the SMTP sink, and a revocation reaches the verify route."""

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import jwt

from tests.e2e.actors import ZONE, World, bearer, meeting_body, messages_to
from tests.e2e.harness import Stack
from tests.support.certificates import pdf_qr_codes, pdf_text


def _soon() -> datetime:
    """A start 20 minutes ahead: its attendance may be marked from now (30 min before)."""
    now = datetime.now(ZoneInfo(ZONE)).replace(tzinfo=None, second=0, microsecond=0)
    return now + timedelta(minutes=20)


def _certificate_pdf(stack: Stack, email: str, timeout: float = 45) -> bytes:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for received in messages_to(stack.sink.messages, email):
            for part in received.parsed().iter_attachments():
                if part.get_content_type() == "application/pdf":
                    data = part.get_content()
                    assert isinstance(data, bytes)
                    return data
        time.sleep(0.3)
    raise AssertionError("no certificate mail arrived\n" + stack.logs())


def _verify(stack: Stack, certificate_id: str) -> dict[str, object]:
    answer = httpx.get(f"{stack.notifier}/verify/{certificate_id}")
    return answer.json() if answer.status_code == 200 else {"status": answer.status_code}


def _verified_badge(stack: Stack, credit_id: int, token: str) -> dict[str, Any]:
    """The credit's Open Badge as its educator fetches it, verified with the published key."""
    badge = httpx.get(f"{stack.scheduler}/credits/{credit_id}/badge", headers=bearer(token))
    assert badge.status_code == 200, badge.text
    jwks = httpx.get(f"{stack.scheduler}/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(badge.text)["kid"]
    (key,) = [found for found in jwks["keys"] if found["kid"] == kid]
    claims: dict[str, Any] = jwt.decode(badge.text, jwt.PyJWK(key).key, algorithms=["EdDSA"])
    return claims


def test_a_finalised_cohort_mails_a_verifiable_certificate_that_revocation_reaches(
    stack: Stack, tmp_path: Path
) -> None:
    world = World.create(stack)
    offering = world.publish_offering([meeting_body(_soon(), hours=1)])
    educator = world.signed_in_educator("José Núñez")
    registration = world.register(educator, offering)
    assert registration["status"] == "confirmed"
    editor = bearer(world.affiliate_key)
    meeting_id = offering["meetings"][0]["id"]
    mark = [{"registration_id": registration["id"], "status": "present"}]
    marked = httpx.put(f"{stack.scheduler}/meetings/{meeting_id}/attendance", json=mark,
                       headers=editor)  # fmt: skip
    assert marked.status_code == 200, marked.text
    cohort = registration["cohort_id"]
    final = httpx.post(f"{stack.scheduler}/cohorts/{cohort}/attendance/finalize", headers=editor)
    assert final.status_code == 200, final.text
    assert [c["registration_id"] for c in final.json()["completed"]] == [registration["id"]]

    credits = httpx.get(f"{stack.scheduler}/credits", headers=bearer(educator["token"])).json()
    (credit,) = credits["items"]
    assert credits["hours_total"] == 3.0
    pdf = _certificate_pdf(stack, educator["email"])
    text = " ".join(pdf_text(pdf, tmp_path).split())
    url = f"/verify/{credit['certificate_id']}"
    assert "José Núñez" in text and "Implicit Bias" in text and url in text.replace(" ", "")
    assert any(code.endswith(url) for code in pdf_qr_codes(pdf, tmp_path))
    assert _verify(stack, credit["certificate_id"])["status"] == "valid"
    claims = _verified_badge(stack, credit["id"], educator["token"])
    assert claims["credentialSubject"]["achievement"]["humanCode"] == world.program_code
    assert url in claims["description"]

    revoked = httpx.post(f"{stack.scheduler}/credits/{credit['id']}/revoke",
                         json={"reason": "recorded in error"}, headers=stack.admin)  # fmt: skip
    assert revoked.status_code == 200, revoked.text
    deadline = time.monotonic() + 5
    while _verify(stack, credit["certificate_id"])["status"] != "revoked":
        assert time.monotonic() < deadline, "the revocation did not reach verify within 5 s"
        time.sleep(0.2)
    gone = httpx.get(
        f"{stack.scheduler}/credits/{credit['id']}/badge", headers=bearer(educator["token"])
    )
    assert gone.status_code == 409, "a revoked credit has no badge"
