"""Calendar feeds are read by a per-person feed secret, looked up by its SHA-256.

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
    op.create_table(
        "feed_secret",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
        sa.UniqueConstraint("secret_sha256"),
    )


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("feed_secret")
