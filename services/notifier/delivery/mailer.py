"""SMTP delivery: one connection per process, reused across batches and tasks, reopened if dead."""

import logging
import os
import smtplib
import ssl
import time
from email.utils import parseaddr

from services.notifier import domain
from shared.settings import Settings, get_settings

log = logging.getLogger(__name__)

# After this much idling a pooled connection is checked with NOOP before it is trusted again.
IDLE_CHECK_SECONDS = 5.0


class ConnectionLost(Exception):
    """The SMTP server could not be reached or dropped the connection."""


class Refused(Exception):
    """The server refused one message; `permanent` when retrying cannot help (5xx)."""

    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason

    @property
    def permanent(self) -> bool:
        """Tell whether the refusal is final."""
        return domain.is_permanent(self.code)

    def __str__(self) -> str:
        return f"{self.code} {self.reason}" if self.code else self.reason


class Mailer:
    """An SMTP client holding one connection, with the timeouts, STARTTLS and AUTH of settings."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()
        self.envelope_from = parseaddr(self.settings.cohort_mail_from)[1]
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0

    def _open(self) -> smtplib.SMTP:
        settings = self.settings
        try:
            smtp = smtplib.SMTP(
                settings.cohort_smtp_host,
                settings.cohort_smtp_port,
                timeout=settings.cohort_smtp_timeout,
            )
            smtp.ehlo()
            if settings.cohort_smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.cohort_smtp_user:
                smtp.login(settings.cohort_smtp_user, settings.cohort_smtp_password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise ConnectionLost(f"cannot open SMTP connection: {exc!r}") from exc
        return smtp

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is not None and time.monotonic() - self._last_used > IDLE_CHECK_SECONDS:
            try:
                code, _ = self._smtp.noop()
                if code != 250:
                    self.close()
            except (OSError, smtplib.SMTPException):
                self.close()
        if self._smtp is None:
            self._smtp = self._open()
        return self._smtp

    def send(self, recipient: str, message: bytes) -> None:
        """Hand one message to the server; a dropped connection is reopened once."""
        try:
            self._send_once(recipient, message)
        except ConnectionLost:
            log.info("SMTP connection lost; reconnecting")
            self._send_once(recipient, message)

    def _send_once(self, recipient: str, message: bytes) -> None:
        smtp = self._connection()
        try:
            smtp.sendmail(self.envelope_from, [recipient], message)
        except smtplib.SMTPRecipientsRefused as exc:
            code, reason = next(iter(exc.recipients.values()), (None, b"refused"))
            raise Refused(code, _text(reason)) from exc
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code == 421:  # the server is closing the channel
                self.close()
                raise ConnectionLost(f"421 {_text(exc.smtp_error)}") from exc
            raise Refused(exc.smtp_code, _text(exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise ConnectionLost(repr(exc)) from exc
        finally:
            self._last_used = time.monotonic()

    def close(self) -> None:
        """Drop the connection (politely if the server still listens)."""
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


_pool: dict[int, Mailer] = {}


def pooled_mailer() -> Mailer:
    """This process's mailer (a forked child never reuses its parent's socket)."""
    pid = os.getpid()
    mailer = _pool.get(pid)
    if mailer is None:
        _pool.clear()
        mailer = _pool[pid] = Mailer()
    return mailer


def close_pooled_mailer() -> None:
    """Close and forget this process's mailer (the next one reads the settings afresh)."""
    for mailer in _pool.values():
        mailer.close()
    _pool.clear()
