"""The planner engine is pure: no web, ORM, queue or database import, nothing from outside it."""

from pathlib import Path

import services.scheduler.assignments.engine as engine
from tests.support.imports import foreign_imports

FORBIDDEN = (
    "fastapi",
    "sqlmodel",
    "sqlalchemy",
    "celery",
    "psycopg",
    "redis",
    "starlette",
    "shared",
)
ROOT = Path(engine.__file__).parent


def test_the_engine_imports_no_framework_and_nothing_else_of_the_scheduler() -> None:
    assert len(list(ROOT.glob("*.py"))) >= 10
    assert foreign_imports(ROOT, FORBIDDEN, allowed=()) == []
