"""PD credit: completions of finalised cohorts, the append-only credit ledger and its reversals.

Revision 0008, after 0007.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "completion",
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("attended_percent", sa.Integer(), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
        ),
        sa.PrimaryKeyConstraint("registration_id"),
    )
    with op.batch_alter_table("completion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_completion_cohort_id"), ["cohort_id"], unique=False)

    _ledger()


def _ledger() -> None:
    """The credit ledger and its reversals."""
    op.create_table(
        "credit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("educator_id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.String(length=32), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("certificate_id"),
        sa.UniqueConstraint("registration_id"),
    )
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_credit_educator_id"), ["educator_id"], unique=False)

    op.create_table(
        "credit_reversal",
        sa.Column("credit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("revoked_by", sa.String(length=300), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["credit_id"],
            ["credit.id"],
        ),
        sa.PrimaryKeyConstraint("credit_id"),
    )
    _cohort_finalised()


def _cohort_finalised() -> None:
    """When a cohort's attendance became final."""
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.add_column(sa.Column("finalised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.drop_column("finalised_at")

    op.drop_table("credit_reversal")
    with op.batch_alter_table("credit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_educator_id"))

    op.drop_table("credit")
    with op.batch_alter_table("completion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_completion_cohort_id"))

    op.drop_table("completion")
