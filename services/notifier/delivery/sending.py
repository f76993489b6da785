"""Sending ledger rows: claim a batch, send it over one pooled connection, log each message."""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.engine import Connection, Engine

from services.notifier.delivery.claims import (
    Claim,
    ClaimedRow,
    claim_rows,
    record_failure,
    renew_lease,
)
from services.notifier.delivery.mailer import ConnectionLost, Mailer, Refused, pooled_mailer
from services.notifier.delivery.recorder import SentRecorder, sent_recorder
from services.notifier.models import Delivery
from shared.settings import get_settings

log = logging.getLogger(__name__)

# Sent rows are handed to the recorder every few messages; a sender killed mid-batch resends
# the rows not recorded yet (at most one batch).
RECORD_EVERY = 25
# A task keeps draining due rows over its connection for at most this long.
DRAIN_SECONDS = 10.0


@dataclass
class BatchReport:
    """What one send task did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    rows: list[int] = field(default_factory=list)


def send_claimed(
    connection: Connection,
    claim: Claim,
    mailer: Mailer,
    report: BatchReport,
    recorder: SentRecorder,
) -> None:
    """Send every claimed row over the mailer's connection, recording outcomes as it goes."""
    renew_every = get_settings().cohort_mail_lease_seconds / 3
    unrecorded: list[ClaimedRow] = []
    lost: str | None = None
    for index, row in enumerate(claim.rows):
        if time.monotonic() - claim.renewed_at > renew_every:
            recorder.record(claim.token, unrecorded)
            unrecorded = []
            renew_lease(connection, claim, [r.id for r in claim.rows[index:]])
        if lost is None:
            try:
                mailer.send(row.recipient, row.message)
            except ConnectionLost as exc:
                lost = str(exc)
            except Refused as exc:
                outcome = record_failure(connection, claim.token, row, str(exc), exc.permanent)
                _count(report, outcome)
                continue
            else:
                unrecorded.append(row)
                report.sent += 1
                if len(unrecorded) >= RECORD_EVERY:
                    recorder.record(claim.token, unrecorded)
                    unrecorded = []
                continue
        error = f"SMTP unreachable: {lost}"
        _count(report, record_failure(connection, claim.token, row, error, False))
    recorder.record(claim.token, unrecorded)
    if lost is not None:
        log.warning("SMTP unreachable; deliveries will retry", extra={"error": lost[:200]})


def _count(report: BatchReport, status: str) -> None:
    if status == Delivery.FAILED:
        report.failed += 1
    else:
        report.retrying += 1


def send_deliveries(engine: Engine, ids: Sequence[int], *, drain: bool = True) -> BatchReport:
    """Send these rows if still due, then (draining) other due rows for a few seconds."""
    report = BatchReport()
    recorder = sent_recorder(engine)
    # Claims and failures go through one connection held for the task; `sent` is recorded by
    # the process's recorder thread, and the task ends only once that is committed too.
    with engine.connect() as connection:
        try:
            _send_batches(connection, list(ids), drain, report, recorder)
        finally:
            recorder.flush()
    return report


def _send_batches(
    connection: Connection,
    wanted: list[int],
    drain: bool,
    report: BatchReport,
    recorder: SentRecorder,
) -> None:
    limit = get_settings().cohort_mail_batch_size
    mailer = pooled_mailer()
    started = time.monotonic()
    while True:
        claim = claim_rows(connection, wanted, limit=limit, drain=drain)
        # The previous batch is fully recorded before this one is sent: a sender killed at any
        # moment resends at most one batch.
        recorder.flush()
        if not claim.rows:
            return
        report.rows += [row.id for row in claim.rows]
        send_claimed(connection, claim, mailer, report, recorder)
        more = drain and len(claim.rows) >= limit and not report.retrying
        if not more or time.monotonic() - started > DRAIN_SECONDS:
            return
        wanted = []
