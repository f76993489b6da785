"""The after-commit hook on PostgreSQL: steps wait for the real commit and vanish on rollback."""

import os

from sqlalchemy import text
from sqlmodel import Session

from shared.db import after_commit, after_commit_batch, engine_for


def _session() -> Session:
    return Session(engine_for(os.environ["REGISTRY_DATABASE_URL"]))


def test_a_step_runs_once_after_the_real_commit_not_after_a_savepoint() -> None:
    ran: list[str] = []
    with _session() as session:
        session.execute(text("SELECT 1"))
        with session.begin_nested():
            after_commit(session, lambda: ran.append("step"))
        assert ran == []
        session.commit()
        assert ran == ["step"]
        session.execute(text("SELECT 1"))
        session.commit()
    assert ran == ["step"]


def test_a_rolled_back_transaction_forgets_its_steps_and_batches() -> None:
    ran: list[object] = []
    with _session() as session:
        session.execute(text("SELECT 1"))
        after_commit(session, lambda: ran.append("step"))
        after_commit_batch(session, "k", ran.extend).append("lost")
        session.rollback()
        session.execute(text("SELECT 1"))
        session.commit()
    assert ran == []


def test_a_batch_gathers_the_transaction_s_items_and_is_flushed_once() -> None:
    flushed: list[list[int]] = []
    with _session() as session:
        session.execute(text("SELECT 1"))
        for item in (1, 2, 3):
            after_commit_batch(session, "numbers", flushed.append).append(item)
        session.commit()
        after_commit_batch(session, "numbers", flushed.append).append(4)
        session.commit()
    assert flushed == [[1, 2, 3], [4]]
