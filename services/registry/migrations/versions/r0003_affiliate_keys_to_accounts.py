"""Affiliate keys move to the accounts service; the offering audit names the person.

Revision 0003, after 0002.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_affiliates_key_hash"))
        batch_op.drop_column("key_hash")

    with op.batch_alter_table("offering_audit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor_name", sa.String(length=300), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("offering_audit", schema=None) as batch_op:
        batch_op.drop_column("actor_name")

    with op.batch_alter_table("affiliates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("key_hash", sa.VARCHAR(length=64), autoincrement=False, nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_affiliates_key_hash"), ["key_hash"], unique=True)
