"""What every service's routes share: paging parameters and documented error answers."""

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

MAX_OFFSET = 1_000_000
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")]
Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description=f"Items to skip (at most {MAX_OFFSET}).")
]


# For a route that takes a bearer token but admits anonymous callers too: OpenAPI reads the
# security requirements as alternatives, and the empty one means "no credentials".
TOKEN_OPTIONAL: dict[str, Any] = {"security": [{}]}


class Problem(BaseModel):
    """The body of a refusal other than invalid input: why, in words."""

    detail: str


class FieldProblem(BaseModel):
    """One refused input: where it was, why, and the kind of rule it broke."""

    loc: list[str | int]
    msg: str
    type: str


class InvalidInputProblem(BaseModel):
    """The body of a 422: every refused input."""

    detail: list[FieldProblem]


_ERRORS: dict[int, str] = {
    401: "Missing or invalid bearer token.",
    403: "Signed in, but this role may not do this.",
    404: "Not found, or not yours.",
    409: "Conflicts with the current state.",
    422: "Invalid input; `detail` names the field and the reason.",
    503: "A service this one relies on is unreachable; try again shortly.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI descriptions and bodies of the error answers a route may give."""
    return {
        code: {
            "description": _ERRORS[code],
            "model": InvalidInputProblem if code == 422 else Problem,
        }
        for code in codes
    }
