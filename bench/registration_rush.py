"""Registration rush: the scheduler's POST /registrations against a bare one-insert FastAPI app.

Both run as real uvicorn processes (one worker each) on fresh PostgreSQL databases created and
dropped here; 64 closed-loop clients drive them in alternating phases of the same run:

- bare: POST /signups, one SQLModel insert per request (no auth, no lock, no outbox);
- spread: each registration (a new educator each time) goes to one of many offerings;
- hot: every registration goes to one offering (capacity 25): one locked row for all.

After the run every hot offering must hold exactly its capacity in confirmed seats, and every
answer must be a clean 201/200 (confirmed or waitlisted) or a 4xx, never a 5xx.

    .venv/bin/python -m bench.registration_rush --seconds 6 --rounds 3 --write-docs
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import DateTime
from sqlalchemy.engine import Engine
from sqlalchemy.orm import registry
from sqlmodel import Field, Session, SQLModel, create_engine

from bench.rush_load import Phase, run_phase
from bench.rush_setup import World

BARE_URL_ENV = "RUSH_BARE_DATABASE_URL"
CAPACITY_HOT = 25
SPREAD_OFFERINGS = 300
ADMIN_TOKEN = "rush-admin-token-0123456789"
SECRET_KEY = "rush-secret-key-0123456789abcdef"
# Tokens signed ahead of each scheduler phase: more than it answers per second.
TOKENS_PER_SECOND = 700


# --- the bare app ---------------------------------------------------------------------------


class RushTable(SQLModel, registry=registry()):
    """Base of the bare app's one table."""


class Signup(RushTable, table=True):
    """One request, one row."""

    id: int | None = Field(default=None, primary_key=True)
    offering_id: int
    created_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), sa_type=DateTime(timezone=True)
    )


class SignupCreate(BaseModel):
    """What the client sends."""

    offering_id: int


def _bare_engine() -> Engine:
    url = os.environ.get(BARE_URL_ENV, "postgresql://postgres@127.0.0.1/rush_bare")
    return create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=10)


_engine: list[Engine] = []


@asynccontextmanager
async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
    _engine.append(_bare_engine())
    RushTable.metadata.create_all(_engine[0])
    yield


bare_app = FastAPI(lifespan=_lifespan)


@bare_app.get("/healthz")
def healthz() -> dict[str, str]:
    """Process is up."""
    return {"status": "ok"}


@bare_app.post("/signups", status_code=201)
def create_signup(signup_in: SignupCreate) -> dict[str, int]:
    """Insert one row and answer its id."""
    with Session(_engine[0], expire_on_commit=False) as session:
        signup = Signup(offering_id=signup_in.offering_id)
        session.add(signup)
        session.commit()
        return {"id": signup.id or 0}


# --- the run --------------------------------------------------------------------------------


def main() -> None:
    """Run the benchmark and print (and optionally write) the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each phase")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--write-docs", action="store_true", help="update docs/PERFORMANCE.md")
    args = parser.parse_args()
    from bench.rush_cost import measure_costs
    from bench.rush_report import section
    from bench.rush_setup import environment, seed, servers

    with ExitStack() as stack:
        env = stack.enter_context(environment(ADMIN_TOKEN, SECRET_KEY, BARE_URL_ENV))
        bare, scheduler = stack.enter_context(servers(env))
        world = seed(
            spread=SPREAD_OFFERINGS,
            hot=args.rounds,
            hot_capacity=CAPACITY_HOT,
            educators=int(TOKENS_PER_SECOND * args.seconds * (args.rounds * 2 + 2)) + 5000,
        )
        phases = _alternate(args, bare.url, scheduler.url, world)
        costs = measure_costs(bare, scheduler, world, seconds=min(args.seconds, 4.0))
        verdict = world.verify(phases)
    body = section(args, phases, costs, verdict)
    print(body)
    if args.write_docs:
        from bench.report import replace_section

        replace_section("registration", body)
    if verdict:
        raise SystemExit("invariants broken:\n" + "\n".join(verdict))


def _alternate(
    args: argparse.Namespace, bare: str, scheduler: str, world: World
) -> dict[str, list[Phase]]:
    phases: dict[str, list[Phase]] = {"bare": [], "spread": [], "hot": []}
    counter = itertools.count()
    rng = random.Random(7)

    def bare_body() -> tuple[bytes, dict[str, str]]:
        return json.dumps({"offering_id": next(counter)}).encode(), {}

    def spread_body() -> tuple[bytes, dict[str, str]]:
        return world.registration(rng.choice(world.spread_ids))

    run = {"clients": args.clients, "seconds": args.seconds}
    warm = {"clients": args.clients, "seconds": min(2.0, args.seconds)}
    run_phase("warm-up", bare, "/signups", bare_body, **warm)
    world.prepare(int(TOKENS_PER_SECOND * warm["seconds"]))
    run_phase("warm-up", scheduler, "/registrations", spread_body, **warm)
    for round_no, hot_id in enumerate(world.hot_ids):

        def hot_body(offering_id: int = hot_id) -> tuple[bytes, dict[str, str]]:
            return world.registration(offering_id)

        phases["bare"].append(run_phase("bare", bare, "/signups", bare_body, **run))
        world.prepare(int(TOKENS_PER_SECOND * args.seconds))
        phases["spread"].append(
            run_phase("spread", scheduler, "/registrations", spread_body, **run)
        )
        phases["bare"].append(run_phase("bare", bare, "/signups", bare_body, **run))
        world.prepare(int(TOKENS_PER_SECOND * args.seconds))
        phases["hot"].append(run_phase("hot", scheduler, "/registrations", hot_body, **run))
        print(
            f"round {round_no + 1}: bare {phases['bare'][-1].rate:.0f}/s, "
            f"spread {phases['spread'][-1].rate:.0f}/s, hot {phases['hot'][-1].rate:.0f}/s",
            file=sys.stderr,
        )
    return phases


if __name__ == "__main__":
    main()
