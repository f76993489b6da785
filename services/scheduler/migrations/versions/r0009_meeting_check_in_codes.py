"""Check-in codes: each meeting keeps the hash of its open code and when that code expires.

Revision 0009, after 0008.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUE_HASH = "meeting_check_in_code_hash_key"


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_in_code_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("check_in_code_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.create_unique_constraint(UNIQUE_HASH, ["check_in_code_hash"])


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(UNIQUE_HASH, type_="unique")
        batch_op.drop_column("check_in_code_expires_at")
        batch_op.drop_column("check_in_code_hash")
