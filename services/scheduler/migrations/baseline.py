"""The scheduler's tables as they stood at the baseline revision (0001), frozen here.

Never edit these: a later change to a table is a new revision.
"""

import sqlalchemy as sa
from alembic import op


def create_educator() -> None:
    """Create the educator table as it stood at the baseline."""
    op.create_table(
        "educator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("affiliate_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_key"),
    )


def create_facilitator() -> None:
    """Create the facilitator table as it stood at the baseline."""
    op.create_table(
        "facilitator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("email_key", sa.String(length=320), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("certifications", sa.JSON(), nullable=False),
        sa.Column("home_state", sa.String(length=2), nullable=False),
        sa.Column("max_sessions_per_month", sa.Integer(), nullable=False),
        sa.Column("availability", sa.JSON(), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email_key"),
    )


def create_idempotency_key() -> None:
    """Create the idempotency_key table as it stood at the baseline."""
    op.create_table(
        "idempotency_key",
        sa.Column("educator_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("educator_id", "key"),
    )


def create_offering() -> None:
    """Create the offering table as it stood at the baseline."""
    op.create_table(
        "offering",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("affiliate_id", sa.Integer(), nullable=False),
        sa.Column("affiliate_name", sa.String(), nullable=False),
        sa.Column("affiliate_state", sa.String(length=2), nullable=False),
        sa.Column("program_code", sa.String(length=64), nullable=False),
        sa.Column("program_title", sa.String(), nullable=False),
        sa.Column("sensitive", sa.Boolean(), nullable=False),
        sa.Column("facilitators_required", sa.Integer(), nullable=False),
        sa.Column("pd_hours", sa.Float(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("venue", sa.JSON(), nullable=True),
        sa.Column("join_url", sa.String(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("max_cohorts", sa.Integer(), nullable=False),
        sa.Column("registration_closes_at_utc", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("offering", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offering_affiliate_id"), ["affiliate_id"], unique=False
        )


def create_cohort() -> None:
    """Create the cohort table as it stood at the baseline."""
    op.create_table(
        "cohort",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("needs_facilitator_reason", sa.String(length=40), nullable=True),
        sa.Column("needs_facilitator_detail", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("offering_id", "index"),
    )
    with op.batch_alter_table("cohort", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohort_offering_id"), ["offering_id"], unique=False)


def create_meeting() -> None:
    """Create the meeting table as it stood at the baseline."""
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("starts_at_utc", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at_utc", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_offering_id"), ["offering_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_meeting_starts_at_utc"), ["starts_at_utc"], unique=False
        )


def create_assignment() -> None:
    """Create the assignment table as it stood at the baseline."""
    op.create_table(
        "assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("explanation", sa.String(), nullable=False),
        sa.Column("end_reason", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assignment_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_assignment_facilitator_id"), ["facilitator_id"], unique=False
        )
        batch_op.create_index(
            "uq_assignment_active",
            ["facilitator_id", "cohort_id"],
            unique=True,
            postgresql_where=sa.text("status = 'active'"),
            sqlite_where=sa.text("status = 'active'"),
        )


def create_registration() -> None:
    """Create the registration table as it stood at the baseline."""
    op.create_table(
        "registration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offering_id", sa.Integer(), nullable=False),
        sa.Column("educator_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("waitlist_seq", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
        ),
        sa.ForeignKeyConstraint(
            ["educator_id"],
            ["educator.id"],
        ),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offering.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_registration_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_registration_educator_id"), ["educator_id"], unique=False
        )
        batch_op.create_index(
            "ix_registration_offering_seq", ["offering_id", "waitlist_seq"], unique=False
        )
        batch_op.create_index(
            "ix_registration_offering_status",
            ["offering_id", "status", "waitlist_seq"],
            unique=False,
        )
        batch_op.create_index(
            "uq_registration_active",
            ["educator_id", "offering_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('confirmed', 'waitlisted')"),
            sqlite_where=sa.text("status IN ('confirmed', 'waitlisted')"),
        )


def create_facilitator_booking() -> None:
    """Create the facilitator_booking table as it stood at the baseline."""
    op.create_table(
        "facilitator_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("in_person", sa.Boolean(), nullable=False),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("city_key", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohort.id"],
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["facilitator.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("facilitator_booking", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facilitator_booking_assignment_id"), ["assignment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_facilitator_booking_cohort_id"), ["cohort_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_facilitator_booking_facilitator_id"), ["facilitator_id"], unique=False
        )
    _guard_facilitator_time()


def _guard_facilitator_time() -> None:
    # The same exclusion constraints the models add on create_all (see database.py).
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(
        "ALTER TABLE facilitator_booking "
        "ADD CONSTRAINT facilitator_booking_no_overlap EXCLUDE USING gist "
        "(facilitator_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (active), "
        "ADD CONSTRAINT facilitator_booking_travel_buffer EXCLUDE USING gist "
        "(facilitator_id WITH =, city_key WITH <>, tstzrange(starts_at, blocked_until) WITH &&) "
        "WHERE (active AND in_person)"
    )
