"""Programs say whether their offerings are in the anonymous catalogue (true for those there).

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
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "listed_publicly", sa.Boolean(), server_default=sa.text("true"), nullable=False
            )
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("listed_publicly")
