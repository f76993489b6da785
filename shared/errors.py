"""Domain errors that service code raises and the web layer turns into 4xx answers."""

from typing import Any


class CohortError(Exception):
    """Base of the errors a caller can act on."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def detail(self) -> Any:
        """What goes into the response's `detail`."""
        return self.message


class NotFound(CohortError):
    """The object does not exist, or is not the caller's to see."""

    status_code = 404


class Forbidden(CohortError):
    """The caller is known but their role may not do this."""

    status_code = 403


class Conflict(CohortError):
    """The request clashes with the current state."""

    status_code = 409


class InvalidInput(CohortError):
    """A field's value breaks a rule; the answer names the field and the reason."""

    status_code = 422

    def __init__(self, field: tuple[str | int, ...], reason: str, kind: str = "value_error"):
        super().__init__(f"{'.'.join(map(str, field))}: {reason}")
        self.field = field
        self.reason = reason
        self.kind = kind

    def detail(self) -> Any:
        """FastAPI-style validation detail: where, what and which kind."""
        return [{"loc": ["body", *self.field], "msg": self.reason, "type": self.kind}]
