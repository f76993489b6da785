"""Registry: concurrent changes to one offering are serialized by its row lock."""

import itertools
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from services.registry import offerings
from services.registry.database import runtime
from services.registry.models import AuditEntry
from services.registry.models_offering import Offering, OfferingPublic, OfferingUpdate
from shared.auth import Principal, Role
from tests.support.registry import (
    Json,
    make_affiliate,
    make_offering,
    make_program,
    outbox_events,
    registry_client,
)

OPERATOR = Principal(person_id=None, roles=frozenset({Role.OPERATOR}), subject="bootstrap")
RACERS = 4


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with registry_client() as client:
        yield client


@pytest.fixture()
def offering(client: TestClient, admin_headers: dict[str, str]) -> Json:
    affiliate = make_affiliate(client, admin_headers)
    program = make_program(client, admin_headers)
    return make_offering(client, affiliate["headers"], program["code"])


def race(action: Callable[[Session, int], object], racers: int = RACERS) -> list[BaseException]:
    """Run `action` in several threads at once, each with its own session."""
    barrier = threading.Barrier(racers)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        with Session(runtime.engine(), expire_on_commit=False) as session:
            barrier.wait()
            try:
                action(session, index)
            except BaseException as exc:
                failures.append(exc)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return failures


def audit_actions(offering_id: int) -> list[str]:
    with Session(runtime.engine()) as session:
        query = select(AuditEntry.action).where(AuditEntry.offering_id == offering_id)
        return list(session.exec(query))


def test_simultaneous_publishes_emit_one_event(offering: Json) -> None:
    def publish(session: Session, _index: int) -> object:
        return offerings.publish_offering(
            session=session, actor=OPERATOR, offering_id=offering["id"]
        )

    assert race(publish) == []
    assert len(outbox_events(offering["id"], "offering.published")) == 1
    assert audit_actions(offering["id"]).count("publish") == 1


def test_simultaneous_changes_each_see_the_one_before(offering: Json) -> None:
    def describe(session: Session, index: int) -> object:
        changes = OfferingUpdate(description=f"change {index}")
        return offerings.change_offering(
            session=session, actor=OPERATOR, offering_id=offering["id"], changes=changes
        )

    assert race(describe) == []
    with Session(runtime.engine()) as session:
        query = (
            select(AuditEntry)
            .where(AuditEntry.offering_id == offering["id"], AuditEntry.action == "update")
            .order_by(col(AuditEntry.id))
        )
        updates = [entry.changes["description"] for entry in session.exec(query)]
        final = session.get(Offering, offering["id"])
    assert len(updates) == RACERS
    # Under the row lock each change reads the state the previous one committed, so the
    # audit trail forms one unbroken chain ending at the stored value.
    assert updates[0]["from"] == offering["description"]
    for earlier, later in itertools.pairwise(updates):
        assert later["from"] == earlier["to"]
    assert final is not None and final.description == updates[-1]["to"]


def test_simultaneous_changes_get_consecutive_versions(
    offering: Json, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each change reads the row, then describes the offering before it commits; slowing that
    # step makes both changes read the row before either commits unless the row lock orders them.
    describe_offering = offerings.describe_offering

    def describe_slowly(session: Session, row: Offering) -> OfferingPublic:
        time.sleep(0.1)
        return describe_offering(session, row)

    monkeypatch.setattr(offerings, "describe_offering", describe_slowly)
    views: list[OfferingPublic] = []

    def change(session: Session, index: int) -> object:
        changes = OfferingUpdate(description=f"versioned change {index}")
        view = offerings.change_offering(
            session=session, actor=OPERATOR, offering_id=offering["id"], changes=changes
        )
        views.append(view)
        return view

    assert race(change, racers=2) == []
    start = offering["version"]
    assert sorted(view.version for view in views) == [start + 1, start + 2]
    with Session(runtime.engine()) as session:
        final = session.get(Offering, offering["id"])
    assert final is not None and final.version == start + 2
