"""Settings validate themselves: production by default, and only real secrets there."""

import pytest
from pydantic import ValidationError

from shared.settings import DEV_ADMIN_TOKEN, Settings

REAL_TOKEN = "Qm7tX2vKp9LwR4sZ8nB1cY6dF3hJ5gTe"
REAL_KEY = "pL8wN3qV6zK1mR9sT4xB7cD2fG5hJ0aE"


@pytest.fixture()
def no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COHORT_ADMIN_TOKEN", "COHORT_SECRET_KEY", "COHORT_ENV"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("no_secrets")
def test_production_is_the_default() -> None:
    assert Settings().cohort_env == "production"


@pytest.mark.usefixtures("no_secrets")
@pytest.mark.parametrize(
    "weak", [DEV_ADMIN_TOKEN, "changeme", "short-but-sure", "a" * 40, " " * 40, "secret"]
)
def test_production_refuses_placeholder_and_weak_secrets(weak: str) -> None:
    with pytest.raises(ValidationError, match="COHORT_ADMIN_TOKEN"):
        Settings(cohort_env="production", cohort_admin_token=weak)
    with pytest.raises(ValidationError, match="COHORT_SECRET_KEY"):
        Settings(cohort_env="production", cohort_secret_key=weak)


@pytest.mark.usefixtures("no_secrets")
def test_production_leaves_secrets_a_process_was_not_given_unset() -> None:
    settings = Settings(cohort_env="production", cohort_secret_key=REAL_KEY)
    assert settings.cohort_admin_token is None and settings.cohort_secret_key == REAL_KEY
    settings.require("cohort_secret_key")
    with pytest.raises(RuntimeError, match="COHORT_ADMIN_TOKEN must be set"):
        settings.require("cohort_admin_token", "cohort_secret_key")


@pytest.mark.usefixtures("no_secrets")
def test_production_accepts_real_secrets() -> None:
    settings = Settings(
        cohort_env="production", cohort_admin_token=REAL_TOKEN, cohort_secret_key=REAL_KEY
    )
    assert settings.cohort_admin_token == REAL_TOKEN


@pytest.mark.usefixtures("no_secrets")
def test_dev_defaults_work_without_configuration() -> None:
    settings = Settings(cohort_env="dev", _env_file=None)
    assert settings.cohort_reminder_offsets == "168h,24h"
    assert settings.cohort_admin_token == DEV_ADMIN_TOKEN and settings.cohort_secret_key


def test_environment_names_match_the_contract(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COHORT_SMTP_PORT", "2525")
    monkeypatch.setenv("NOTIFIER_DATABASE_URL", "sqlite:///x.db")
    settings = Settings()
    assert settings.cohort_smtp_port == 2525
    assert settings.notifier_database_url == "sqlite:///x.db"


def test_sign_in_limits_must_be_in_the_limits_notation() -> None:
    settings = Settings(cohort_env="dev", cohort_sign_in_limit_per_ip="10 per minute")
    assert settings.cohort_sign_in_limit_per_address == "3/15 minutes"
    with pytest.raises(ValidationError, match="not a rate limit"):
        Settings(cohort_env="dev", cohort_sign_in_limit_per_address="three a day")
