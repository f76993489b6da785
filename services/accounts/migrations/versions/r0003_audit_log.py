"""The audit log: who did what here (`audit_log`, read through `GET /audit`).

Revision 0003, after 0002.
"""

from collections.abc import Sequence

from alembic import op

from shared.audit_log import create_audit_table_in_migration

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply this revision."""
    create_audit_table_in_migration()


def downgrade() -> None:
    """Revert this revision."""
    op.drop_table("audit_log")
