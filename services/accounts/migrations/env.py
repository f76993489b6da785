"""Alembic's entry point for this service: the scripts run over the connection they are given."""

from alembic import context

from shared.migrations import run_migrations

run_migrations(context)
