"""Rotate the signing key: `python -m services.accounts.rotate` (run where accounts runs)."""

from sqlmodel import Session

from services.accounts import keys
from services.accounts.database import runtime


def main() -> None:
    """Add a new signing key and schedule the old ones' retirement; say what happened."""
    runtime.migrate()
    with Session(runtime.engine()) as session:
        key, retire_at = keys.rotate_signing_key(session=session)
        print(f"new signing key {key.kid}: published now, signs from {key.created_at:%H:%M:%S} UTC")
        print(f"older keys stay published until {retire_at:%Y-%m-%d %H:%M:%S} UTC, then retire")


if __name__ == "__main__":
    main()
