"""Settings read from the environment (names as in the README's Configuration), validated once."""

import os
from functools import lru_cache
from typing import Literal

import limits
from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_ADMIN_TOKEN = "dev-admin-token"
DEV_SECRET_KEY = "dev-secret-key-change-me"
SECRETS_DIR = os.environ.get("COHORT_SECRETS_DIR", "/run/secrets")
PLACEHOLDERS = {DEV_ADMIN_TOKEN, DEV_SECRET_KEY, "", "changeme", "change-me", "secret"}
# deploy/make-secrets.sh writes 43 characters; anything much shorter is guessable or a typo.
STRONG_SECRET_LENGTH = 32
# What each secret is outside production when nobody sets it.
DEV_SECRETS = {"cohort_admin_token": DEV_ADMIN_TOKEN, "cohort_secret_key": DEV_SECRET_KEY}


class Settings(BaseSettings):
    """Every setting a Cohort process reads; field names are the environment names, lower-cased."""

    model_config = SettingsConfigDict(
        extra="ignore",
        secrets_dir=SECRETS_DIR if os.path.isdir(SECRETS_DIR) else None,
        case_sensitive=False,
    )

    # Production unless said otherwise: a forgotten variable must never relax a real install.
    cohort_env: Literal["dev", "test", "production"] = "production"
    # In production each container receives only the secrets it uses; the rest stay None.
    cohort_admin_token: str | None = None
    cohort_secret_key: str | None = None
    cohort_redis_url: str = "redis://127.0.0.1:6379/0"
    accounts_database_url: str = "sqlite:///.run/accounts.db"
    registry_database_url: str = "sqlite:///.run/registry.db"
    scheduler_database_url: str = "sqlite:///.run/scheduler.db"
    notifier_database_url: str = "sqlite:///.run/notifier.db"
    cohort_smtp_host: str = "127.0.0.1"
    cohort_smtp_port: int = 1025
    cohort_smtp_user: str | None = None
    cohort_smtp_password: str | None = None
    cohort_smtp_starttls: bool = False
    cohort_smtp_timeout: float = 10.0
    cohort_mail_from: str = "Cohort <no-reply@cohort.localhost>"
    cohort_reminder_offsets: str = "168h,24h"
    cohort_mail_batch_size: int = 50
    cohort_mail_max_attempts: int = 10
    cohort_mail_retry_base: float = 30.0
    cohort_mail_lease_seconds: float = 120.0
    cohort_mail_redispatch_after: float = 60.0
    cohort_max_deliveries: int = 5
    cohort_visibility_timeout: int = 3600
    cohort_outbox_relay_interval: float = 2.0
    cohort_outbox_relay_age: float = 5.0
    cohort_outbox_confirm_after: float = 30.0
    cohort_outbox_resend_max: float = 600.0
    cohort_retain_outbox_days: float = 7.0
    cohort_retain_processed_days: float = 30.0
    cohort_retain_dead_days: float = 90.0
    cohort_retain_message_days: float = 30.0
    cohort_retain_idempotency_days: float = 7.0
    cohort_retention_sweep_seconds: float = 3600.0
    cohort_travel_buffer_minutes: int = 60
    cohort_finalise_sweep_seconds: float = 300.0
    cohort_check_in_code_ttl: int = Field(default=900, ge=60, le=86400)
    cohort_reminder_sweep_seconds: float = 60.0
    cohort_delivery_sweep_seconds: float = 30.0
    cohort_portal_url: str = "http://127.0.0.1:8000"
    cohort_sign_in_limit_per_address: str = "3/15 minutes"
    cohort_sign_in_limit_per_ip: str = "30/hour"
    cohort_sign_in_code_ttl: int = 900
    cohort_access_token_ttl: int = 900
    cohort_accounts_url: str = "http://127.0.0.1:8004"
    # The operator `make run` makes sure exists, and prints a sign-in link for.
    cohort_operator_email: str = "operator@cohort.localhost"
    # Where the portal calls the other APIs (it reads no database of its own).
    cohort_registry_url: str = "http://127.0.0.1:8001"
    cohort_scheduler_url: str = "http://127.0.0.1:8002"
    cohort_notifier_url: str = "http://127.0.0.1:8003"
    # Base of the calendar-feed URLs the notifier hands out (`/calendars/<secret>.ics` follows).
    cohort_feeds_url: str = "http://127.0.0.1:8003"
    # Public keys tests sign with; read only when COHORT_ENV=test, never in a real install.
    cohort_test_jwks: str | None = None
    cohort_log_level: str = "INFO"
    cohort_log_json: bool = True

    @field_validator("cohort_sign_in_limit_per_address", "cohort_sign_in_limit_per_ip")
    @classmethod
    def _check_limit(cls, value: str) -> str:
        try:
            limits.parse(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a rate limit such as '3/15 minutes'") from None
        return value

    @model_validator(mode="after")
    def _check_secrets(self) -> "Settings":
        for name, dev_value in DEV_SECRETS.items():
            value = getattr(self, name)
            if self.cohort_env != "production":
                if value is None:
                    setattr(self, name, dev_value)
            elif value is not None and _weak(value):
                raise ValueError(
                    f"{name.upper()} must be a real secret ({STRONG_SECRET_LENGTH}+ characters, "
                    "not a placeholder) when COHORT_ENV=production (deploy/make-secrets.sh)"
                )
        return self

    def require(self, *names: str) -> None:
        """Refuse to go on when a setting this process needs is missing."""
        missing = [name.upper() for name in names if getattr(self, name) is None]
        if missing:
            raise RuntimeError(f"{', '.join(missing)} must be set for this process")


def _weak(secret: str) -> bool:
    stripped = secret.strip()
    return (
        stripped.lower() in PLACEHOLDERS
        or len(stripped) < STRONG_SECRET_LENGTH
        or len(set(stripped)) < 8
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read from the environment on first use."""
    return Settings()
