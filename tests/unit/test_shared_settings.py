"""Settings validate themselves."""

import pytest
from pydantic import ValidationError

from shared.settings import Settings


def test_production_refuses_placeholder_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COHORT_ADMIN_TOKEN", raising=False)
    monkeypatch.delenv("COHORT_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="COHORT_ADMIN_TOKEN"):
        Settings(cohort_env="production")
    with pytest.raises(ValidationError, match="COHORT_SECRET_KEY"):
        Settings(cohort_env="production", cohort_admin_token="a" * 32)


def test_production_accepts_real_secrets() -> None:
    settings = Settings(
        cohort_env="production", cohort_admin_token="a" * 32, cohort_secret_key="b" * 32
    )
    assert settings.cohort_env == "production"


def test_dev_defaults_work_without_configuration() -> None:
    settings = Settings(cohort_env="dev", _env_file=None)
    assert settings.cohort_reminder_offsets == "168h,24h"


def test_environment_names_match_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHORT_SMTP_PORT", "2525")
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", "sqlite:///x.db")
    settings = Settings()
    assert settings.cohort_smtp_port == 2525
    assert settings.notifier_database_url == "sqlite:///x.db"
