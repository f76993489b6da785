"""The scheduler keeps each offering's completion_percent (from the offering events).

Revision 0007, after 0006.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("completion_percent", sa.Integer(), server_default="100", nullable=False)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.drop_column("completion_percent")
