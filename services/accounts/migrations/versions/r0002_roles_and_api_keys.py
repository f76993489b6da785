"""Roles, API keys and unproven people: `person_roles`, `api_keys`, `people.verified_at`.

Revision 0002, after 0001. Everyone already in `people` proved their address by signing in, so
their `verified_at` is when they were created.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the role and key tables and the proof column; everyone so far is proven."""
    _create_api_keys()
    _create_person_roles()
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE people SET verified_at = created_at")


def _create_api_keys() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("affiliate_id", sa.Integer(), nullable=True),
        sa.Column("member_role", sa.String(length=16), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_keys_affiliate_id"), ["affiliate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_keys_person_id"), ["person_id"], unique=False)


def _create_person_roles() -> None:
    op.create_table(
        "person_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=True),
        sa.Column("member_role", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "person_id",
            "role",
            "affiliate_id",
            name="uq_person_roles_person_role_affiliate",
            postgresql_nulls_not_distinct=True,
        ),
    )
    with op.batch_alter_table("person_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_roles_affiliate_id"), ["affiliate_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_person_roles_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    """Drop what upgrade added."""
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("verified_at")

    with op.batch_alter_table("person_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_roles_person_id"))
        batch_op.drop_index(batch_op.f("ix_person_roles_affiliate_id"))

    op.drop_table("person_roles")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_person_id"))
        batch_op.drop_index(batch_op.f("ix_api_keys_affiliate_id"))

    op.drop_table("api_keys")
