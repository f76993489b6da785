"""The accounts service's schema migrations (Alembic; run through `python -m services.migrate`)."""
