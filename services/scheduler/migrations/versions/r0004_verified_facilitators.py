"""Facilitators are booked only once they have proven their address.

Revision 0004, after 0003.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        # Facilitators added before invitations existed were booked already: they count as proven.
        batch_op.add_column(
            sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.drop_column("verified")
