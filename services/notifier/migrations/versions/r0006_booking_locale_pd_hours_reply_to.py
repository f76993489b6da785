"""Bookings carry the recipient's language, the training's PD hours and where replies go.

Revision 0006, after 0005.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recipient_locale", sa.String(length=8), server_default="en", nullable=False)
        )
        batch_op.add_column(sa.Column("pd_hours", sa.Float(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("reply_to", sa.String(length=320), nullable=True))
        batch_op.add_column(
            sa.Column("person_updated_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("person_updated_at")
        batch_op.drop_column("reply_to")
        batch_op.drop_column("pd_hours")
        batch_op.drop_column("recipient_locale")
