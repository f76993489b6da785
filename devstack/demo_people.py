"""The demo's people get in as everyone does: affiliates by an API key, educators by the mailed
sign-in link and facilitators by their mailed invitation, read back from the demo's own mail
sink."""

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime
from typing import Any

from devstack.demo_client import ACCOUNTS, REGISTRY, ApiError, CohortApi
from devstack.mailbox import Mailbox, code_of
from devstack.progress import Progress

# A sign-in mail goes through the accounts outbox, the bus and the notifier before the sink.
LINK_WAIT = 120.0
SIGN_IN_THREADS = 8


def add_affiliate(api: CohortApi, body: dict[str, str]) -> str:
    """Create the affiliate (operator) and an editor API key for it; return the key."""
    affiliate = api.call("POST", f"{REGISTRY}/affiliates", api.admin, body)
    key_body = {
        "name": f"{body['name']} (demo)",
        "affiliate_id": affiliate["id"],
        "member_role": "editor",
    }
    return str(api.call("POST", f"{ACCOUNTS}/api-keys", api.admin, key_body)["key"])


def sign_in(api: CohortApi, mailbox: Mailbox, body: dict[str, Any]) -> dict[str, Any]:
    """Ask for a link, read it from the sink, redeem it; the educator with their session token."""
    email = str(body["email"])
    seen = len(mailbox.links(email))
    api.call("POST", f"{ACCOUNTS}/sign-in", None, {**body, "locale": "en"}, ok=(202,))
    link = mailbox.wait_link(email, after=seen, timeout=LINK_WAIT)
    if link is None:
        raise ApiError(f"no sign-in link reached {email} within {LINK_WAIT:.0f}s")
    reply = api.call("POST", f"{ACCOUNTS}/sign-in/redeem", None, {"code": code_of(link)})
    session = str(reply["session_token"])
    expires_at = datetime.fromisoformat(reply["expires_at"])
    api.tokens.remember(session, str(reply["access_token"]), expires_at)
    return {"id": reply["person"]["id"], "email": email, "token": session}


def sign_in_all(
    api: CohortApi, mailbox: Mailbox, bodies: Sequence[dict[str, Any]], progress: Progress
) -> list[dict[str, Any]]:
    """Sign every educator in by link, several at once, reporting progress; in `bodies` order."""
    signed: dict[int, dict[str, Any]] = {}
    with ThreadPoolExecutor(SIGN_IN_THREADS) as pool:
        futures = {pool.submit(sign_in, api, mailbox, body): n for n, body in enumerate(bodies)}
        for future in as_completed(futures):
            signed[futures[future]] = future.result()
            if len(signed) % 50 == 0 and len(signed) < len(bodies):
                progress.note(f"{len(signed)}/{len(bodies)} educators signed in ...")
    return [signed[n] for n in range(len(bodies))]


def accept_invitation(api: CohortApi, mailbox: Mailbox, email: str) -> None:
    """Open the invitation mailed to `email` and press its button: the address is proven, so
    the facilitator may now be booked."""
    link = mailbox.wait_link(email, after=0, timeout=LINK_WAIT)
    if link is None:
        raise ApiError(f"no invitation reached {email} within {LINK_WAIT:.0f}s")
    api.call("POST", f"{ACCOUNTS}/sign-in/redeem", None, {"code": code_of(link)})
