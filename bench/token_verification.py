"""Token verification: CPU time of `shared.auth.verify_access_token` on one request's token.

One process, no server: a realistic access token (an educator who edits for an affiliate, with
email, name, zone and locale, as accounts mints them) signed with the test key, the keyring
holding the test JWKS, and the revocation check over 1,000 live revocations
(half sessions, half people, none covering the token, so every check runs to the end). CPU is
`time.process_time()` over a batch of verifications, best and median of the rounds; the parts
(header, signature and claims, principal, revocation check) are timed the same way.

    .venv/bin/python -m bench.token_verification --iterations 10000 --rounds 5 --write-docs
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import MetaData, create_engine
from sqlmodel import Session

from bench.report import machine, table
from shared import access_tokens, auth
from shared.events import AccessRevoked
from shared.keyring import keyring
from shared.revocations import RevocationList
from tests.support.processes import free_port
from tests.support.tokens import person_token, test_key_env

TARGET_MS = 0.3
COMMAND = (
    ".venv/bin/python -m bench.token_verification --iterations {iterations} --rounds {rounds} "
    "--write-docs"
)


def trust_test_key() -> None:
    """Make this process verify tokens as a service in COHORT_ENV=test does, with no accounts."""
    os.environ.update(test_key_env())
    os.environ["COHORT_ENV"] = "test"
    os.environ["COHORT_ACCOUNTS_URL"] = f"http://127.0.0.1:{free_port()}"
    from shared.settings import get_settings

    get_settings.cache_clear()


def realistic_token(person_id: int = 10**9 + 4242) -> str:
    """A token like the ones accounts mints for an educator who is also an affiliate editor."""
    roles: list[dict[str, Any]] = [
        {"role": "educator"},
        {"role": "affiliate", "affiliate_id": 17, "member_role": "editor"},
    ]
    profile = {
        "email": "maria.gonzalez@schools.example.org",
        "name": "María González",
        "zoneinfo": "America/Chicago",
        "locale": "es-US",
    }
    return person_token(person_id, roles, **profile)


def load_revocations(count: int) -> tuple[RevocationList, int]:
    """A revocation list holding `count` live revocations (and how many it loaded), loaded as a
    service's API loads it (without the reloading thread, whose CPU would count here)."""
    engine = create_engine("sqlite://")
    revocations = RevocationList(MetaData(), engine=lambda: engine)
    revocations.table.metadata.create_all(engine)
    now = datetime.now(UTC) - timedelta(seconds=1)
    with Session(engine) as session:
        for n in range(count):
            key = f"sid:session:revoked-{n}" if n % 2 else f"sub:{2 * 10**9 + n}"
            event = AccessRevoked(key=key, revoked_at=now, reason="signed out")
            revocations.apply(session, event)
        session.commit()
    loaded = revocations.load()
    return revocations, loaded


def cpu_ms_per_call(call: Callable[[], object], iterations: int) -> float:
    """CPU milliseconds one call takes, over `iterations` calls."""
    started = time.process_time()
    for _ in range(iterations):
        call()
    return (time.process_time() - started) * 1000 / iterations


def parts(token: str, revocations: RevocationList) -> dict[str, Callable[[], object]]:
    """The whole verification and each of its steps, as calls to time."""
    import jwt

    jwks = keyring.current()
    claims = access_tokens.verify(token, jwks)
    assert claims is not None, "the bench token does not verify"
    principal = auth.principal_from(claims)
    assert principal is not None
    refused = [revocations.covers]
    public_key = jwt.PyJWK(jwks["keys"][0], algorithm=access_tokens.ALGORITHM).key
    signing_input, _, signature = token.encode().rpartition(b".")
    raw_signature = jwt.utils.base64url_decode(signature)
    return {
        "verify_access_token (whole)": lambda: auth.verify_access_token(token, refused),
        "- access_tokens.verify (signature, claims)": lambda: access_tokens.verify(token, jwks),
        "  - Ed25519 signature check alone": lambda: public_key.verify(
            raw_signature, signing_input
        ),
        "  - reading the header (base64url, JSON; cached)": lambda: jwt.get_unverified_header(
            token
        ),
        "- principal_from (claims → Principal)": lambda: auth.principal_from(claims),
        "- revocation check": lambda: revocations.covers(principal),
    }


def measure(
    token: str, revocations: RevocationList, iterations: int, rounds: int
) -> dict[str, list[float]]:
    """Per-call CPU milliseconds of each part, one figure per round (parts interleaved)."""
    calls = parts(token, revocations)
    for call in calls.values():
        cpu_ms_per_call(call, max(1, iterations // 20))
    found: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            found[name].append(cpu_ms_per_call(call, iterations))
    return found


def section(args: argparse.Namespace, found: dict[str, list[float]], revoked: int) -> str:
    """Markdown for the figures of one run."""
    rows = [
        [name, f"{min(v):.3f}", f"{statistics.median(v):.3f}", f"{1 / min(v) * 1000:,.0f}"]
        for name, v in found.items()
    ]
    whole = statistics.median(found["verify_access_token (whole)"])
    mark = "met" if whole <= TARGET_MS else "NOT met"
    return "\n".join(
        [
            "## Access token verification",
            "",
            f"Command: `{COMMAND.format(iterations=args.iterations, rounds=args.rounds)}` — "
            f"measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. One process, "
            f"{args.iterations:,} verifications per round, {args.rounds} rounds "
            f"(the parts interleaved round by round), CPU from `time.process_time()`; "
            f"the revocation check over {revoked:,} live revocations.",
            f"Machine: {machine()}.",
            "",
            table(["what", "best CPU ms", "median CPU ms", "per second (best)"], rows),
            "",
            f"- CPU per verification: **{whole:.3f} ms** median "
            f"(target ≤ {TARGET_MS:.1f} ms: {mark}). The registration rush section sets it "
            "beside the CPU of a whole bare request, measured in its run.",
        ]
    )


def main() -> None:
    """Run the measurement and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--revocations", type=int, default=1_000)
    parser.add_argument("--write-docs", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args()
    trust_test_key()
    revocations, loaded = load_revocations(args.revocations)
    found = measure(realistic_token(), revocations, args.iterations, args.rounds)
    body = section(args, found, loaded)
    print(body)
    if args.write_docs:
        from bench.report import replace_section

        replace_section("tokens", body)


if __name__ == "__main__":
    main()
