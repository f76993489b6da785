"""Profiles carry the person's language; offerings the affiliate's contact address.

Revision 0005, after 0004.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("educator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locale", sa.String(length=8), server_default="en", nullable=False)
        )
        batch_op.add_column(
            sa.Column("person_updated_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locale", sa.String(length=8), server_default="en", nullable=False)
        )
        batch_op.add_column(
            sa.Column("person_updated_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("affiliate_contact_email", sa.String(length=320), nullable=True)
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.drop_column("affiliate_contact_email")

    with op.batch_alter_table("facilitator", schema=None) as batch_op:
        batch_op.drop_column("person_updated_at")
        batch_op.drop_column("locale")

    with op.batch_alter_table("educator", schema=None) as batch_op:
        batch_op.drop_column("person_updated_at")
        batch_op.drop_column("locale")
