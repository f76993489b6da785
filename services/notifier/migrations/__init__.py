"""The notifier's schema migrations (Alembic; run through `python -m services.migrate`)."""
