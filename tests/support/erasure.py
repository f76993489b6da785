"""Checks for erasure tests: where in a whole PostgreSQL database some text still appears."""

from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Engine

TEXT_TYPES = ("character varying", "character", "text", "json", "jsonb", "bytea")


def _text_columns(engine: Engine) -> list[tuple[str, str, str]]:
    query = text(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND data_type = ANY(:types) ORDER BY 1, 2"
    )
    with engine.connect() as connection:
        rows = connection.execute(query, {"types": list(TEXT_TYPES)}).all()
    return [(str(table), str(column), str(kind)) for table, column, kind in rows]


def places_holding(engine: Engine, needles: Iterable[str]) -> list[str]:
    """Every `table.column` (any row, any text or binary column) containing one of the needles,
    compared case-insensitively."""
    found = []
    wanted = [needle.lower() for needle in needles]
    with engine.connect() as connection:
        for table, column, kind in _text_columns(engine):
            value = f'"{column}"::text'
            if kind == "bytea":
                value = f"encode(\"{column}\", 'escape')"
            for needle in wanted:
                query = text(
                    f'SELECT count(*) FROM "{table}" WHERE strpos(lower({value}), :needle) > 0'
                )
                if connection.execute(query, {"needle": needle}).scalar():
                    found.append(f"{table}.{column} holds {needle!r}")
    return found


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows each table of the database holds."""
    with engine.connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
        ).scalars()
        count = 'SELECT count(*) FROM "{}"'
        return {
            str(table): int(connection.execute(text(count.format(table))).scalar_one())
            for table in list(tables)
        }
