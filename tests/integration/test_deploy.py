"""What the compose deployment is made of works as written: secret files the container user can
read, and one PostgreSQL role per service that reaches only its own database."""

import os
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from shared.settings import Settings
from tests.support.infra import database_url

ROOT = Path(__file__).resolve().parents[2]
CONTAINER_UID = 10001
SERVICES = ("accounts", "registry", "scheduler", "notifier")


@pytest.fixture()
def secrets_made() -> Iterator[Path]:
    """deploy/make-secrets.sh run in a copy of deploy/, in a folder anyone may traverse."""
    top = Path(tempfile.mkdtemp(prefix="cohort-deploy-"))
    top.chmod(0o755)
    (top / "deploy").mkdir()
    shutil.copy(ROOT / "deploy/make-secrets.sh", top / "deploy/make-secrets.sh")
    subprocess.run(["bash", str(top / "deploy/make-secrets.sh")], check=True, capture_output=True)
    yield top / "deploy/secrets"
    shutil.rmtree(top)


def _mounted(secrets: Path, names: list[str]) -> Path:
    """What a container sees under /run/secrets: the same files (owner, mode) at another path."""
    mount = secrets.parent.parent / "run-secrets"
    mount.mkdir(mode=0o755)
    for name in names:
        os.link(secrets / name, mount / name)
    return mount


def _settings_as(uid: int, mount: Path) -> int:
    """Exit status of loading production settings from `mount` in a child running as `uid`."""
    pid = os.fork()
    if pid == 0:  # the child: drop to the container's user, read the secrets, report by status
        try:
            for name in list(os.environ):
                if name.startswith("COHORT_") or name.endswith("_DATABASE_URL"):
                    del os.environ[name]
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            settings = Settings(cohort_env="production", _secrets_dir=str(mount))
            ok = settings.cohort_secret_key == (mount / "cohort_secret_key").read_text()
            ok = ok and str(settings.registry_database_url).startswith("postgresql://cohort_")
            os._exit(0 if ok else 3)
        except BaseException:
            os._exit(4)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to the container's uid needs root")
def test_secret_files_load_as_the_container_user(secrets_made: Path) -> None:
    names = ["cohort_admin_token", "cohort_secret_key", "cohort_redis_url", "registry_database_url"]
    mount = _mounted(secrets_made, names)
    assert stat.S_IMODE(secrets_made.stat().st_mode) == 0o700
    assert _settings_as(CONTAINER_UID, mount) == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="switching to the container's uid needs root")
def test_files_only_their_owner_can_read_fail_to_load(secrets_made: Path) -> None:
    # The failure the script's modes prevent: 0600 files owned by the host user.
    names = ["cohort_admin_token", "cohort_secret_key", "registry_database_url"]
    for name in names:
        (secrets_made / name).chmod(0o600)
    assert _settings_as(CONTAINER_UID, _mounted(secrets_made, names)) == 4


def test_make_secrets_keeps_existing_values_and_names_one_role_per_service(
    secrets_made: Path,
) -> None:
    token = (secrets_made / "cohort_admin_token").read_text()
    subprocess.run(["bash", str(secrets_made.parent / "make-secrets.sh")], check=True)
    assert (secrets_made / "cohort_admin_token").read_text() == token
    assert len(token) >= 32
    for service in SERVICES:
        password = (secrets_made / f"{service}_db_password").read_text()
        url = (secrets_made / f"{service}_database_url").read_text()
        assert url == f"postgresql://cohort_{service}:{password}@postgres:5432/cohort_{service}"


@pytest.fixture()
def service_roles(tmp_path: Path) -> Iterator[str]:
    """deploy/postgres/init-databases.sh run against the test server under a private prefix."""
    prefix = f"cohortinit{os.getpid()}"
    for service in SERVICES:
        (tmp_path / f"{service}_db_password").write_text(f"pw-{service}")
    env = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "POSTGRES_USER": "postgres",
        "COHORT_DB_PREFIX": prefix,
        "COHORT_SECRETS_DIR": str(tmp_path),
    }
    script = ROOT / "deploy/postgres/init-databases.sh"
    try:
        subprocess.run(["bash", str(script)], env=env, check=True, capture_output=True)
        yield prefix
    finally:
        with psycopg.connect(database_url("postgres"), autocommit=True) as admin:
            for service in SERVICES:
                admin.execute(f'DROP DATABASE IF EXISTS "{prefix}_{service}" WITH (FORCE)')
                admin.execute(f'DROP ROLE IF EXISTS "{prefix}_{service}"')


def _as_role(prefix: str, role: str, database: str) -> psycopg.Connection:
    return psycopg.connect(
        host="127.0.0.1", user=f"{prefix}_{role}", dbname=f"{prefix}_{database}", autocommit=True
    )


def test_each_role_owns_its_database_and_cannot_reach_the_others(service_roles: str) -> None:
    prefix = service_roles
    for service in SERVICES:
        with _as_role(prefix, service, service) as own:
            own.execute("CREATE TABLE probe (id int)")
            # The scheduler's migrations need btree_gist: the owner may create it unaided.
            own.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        for other in SERVICES:
            if other != service:
                with pytest.raises(psycopg.OperationalError, match="CONNECT privilege"):
                    _as_role(prefix, service, other)
