"""Baseline: the schema before migrations.

Revision 0001, the first: every table as it stood before migrations existed.
"""

from collections.abc import Sequence

from alembic import op

from services.scheduler.migrations import baseline, baseline_bus

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


TABLES = (
    "dead_events",
    "educator",
    "facilitator",
    "idempotency_key",
    "offering",
    "outbox",
    "processed_events",
    "cohort",
    "meeting",
    "assignment",
    "registration",
    "facilitator_booking",
)


def upgrade() -> None:
    """Create every table, parents before the tables that refer to them."""
    baseline_bus.create_dead_events()
    baseline.create_educator()
    baseline.create_facilitator()
    baseline.create_idempotency_key()
    baseline.create_offering()
    baseline_bus.create_outbox()
    baseline_bus.create_processed_events()
    baseline.create_cohort()
    baseline.create_meeting()
    baseline.create_assignment()
    baseline.create_registration()
    baseline.create_facilitator_booking()


def downgrade() -> None:
    """Drop every table, children first."""
    for table in reversed(TABLES):
        op.drop_table(table)
