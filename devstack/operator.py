"""`make run`'s bootstrap operator: a person made sure of through accounts' public API, and the
sign-in link mailed to them, read back from the dev mail sink."""

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from devstack.credentials import CredentialError, mint
from devstack.mailbox import Mailbox

OPERATOR_NAME = "Cohort operator"
# The invitation passes through the outbox, the bus and the notifier's worker before the sink.
MAIL_WAIT = 30.0


@dataclass(frozen=True)
class WayIn:
    """How the operator signs in: their address and, when the sink holds it, the mailed link."""

    email: str
    link: str | None
    problem: str | None = None


def _is_operator(http: httpx.Client, accounts: str, token: str, email: str) -> bool:
    people = _ok(http.get(f"{accounts}/people", params={"email": email}, headers=_auth(token)))
    roles = [r["role"] for p in people["items"] for r in p["roles"]]
    return "operator" in roles


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 300:
        raise CredentialError(f"{response.request.url} → {response.status_code}: {response.text}")
    return response.json()


def request_link(http: httpx.Client, accounts: str, admin_token: str, email: str) -> None:
    """Mail the operator a link: an invitation when they are new, else a fresh sign-in link."""
    token, _ = mint(http, accounts, admin_token)
    if _is_operator(http, accounts, token, email):
        _ok(http.post(f"{accounts}/sign-in", json={"email": email}))
    else:
        body = {"name": OPERATOR_NAME, "email": email}
        _ok(http.post(f"{accounts}/operators", json=body, headers=_auth(token)))


def sign_in_operator(
    accounts: str, admin_token: str, email: str, mail_folder: Path | None
) -> WayIn:
    """Make sure the operator exists and has a fresh link; read it from the sink when there."""
    mailbox = Mailbox(mail_folder) if mail_folder else None
    seen = len(mailbox.links(email)) if mailbox else 0
    try:
        with httpx.Client(timeout=10.0) as http:
            request_link(http, accounts, admin_token, email)
    except (CredentialError, httpx.HTTPError) as problem:
        return WayIn(email, None, str(problem))
    link = mailbox.wait_link(email, after=seen, timeout=MAIL_WAIT) if mailbox else None
    return WayIn(email, link)
