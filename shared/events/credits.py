"""Events the scheduler emits about PD credit; the notifier turns them into certificates."""

from datetime import date
from typing import ClassVar

from shared.events.envelope import Event
from shared.events.parts import Cohort, Recipient


class CompletionEarned(Event):
    """An educator completed a cohort: one credit was written to the ledger.

    Notifier: keeps the certificate `certificate_id` (what `GET /verify/{certificate_id}` shows),
    renders its PDF and mails it once, kind `certificate` (a neutral subject for `sensitive`
    programs). A redelivered event changes nothing and sends nothing.
    """

    TYPE: ClassVar[str] = "completion.earned"
    credit_id: int
    certificate_id: str
    educator: Recipient
    cohort: Cohort
    hours: float
    completed_on: date
    # Share of the scheduled minutes the educator attended (0-100).
    attended_percent: int
    facilitator_names: list[str] = []


class CreditRevoked(Event):
    """An operator revoked a credit: a reversal entry was written, the credit no longer counts.

    Notifier: the certificate `certificate_id` reads as revoked from then on; no mail is sent.
    """

    TYPE: ClassVar[str] = "credit.revoked"
    credit_id: int
    certificate_id: str
    educator_id: int
    reason: str
