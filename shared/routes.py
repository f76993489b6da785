"""What every service's routes share: paging parameters and documented error answers."""

from typing import Annotated, Any

from fastapi import Query

MAX_OFFSET = 1_000_000
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")]
Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description=f"Items to skip (at most {MAX_OFFSET}).")
]

_ERRORS: dict[int, str] = {
    401: "Missing or invalid bearer token.",
    403: "Signed in, but this role may not do this.",
    404: "Not found, or not yours.",
    409: "Conflicts with the current state.",
    422: "Invalid input; `detail` names the field and the reason.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI descriptions of the error answers a route may give."""
    return {code: {"description": _ERRORS[code]} for code in codes}
