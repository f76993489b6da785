"""An affiliate's own facilitator can be shared with every affiliate.

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
    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        # Facilitators added before sharing existed keep to their affiliate.
        batch_op.add_column(
            sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.drop_column("shared")
