"""A PostgreSQL server of a test's own, which the test may stop and start at will.

PostgreSQL refuses to run as root, so a root test process runs the server as the `postgres`
system user; the shared server of tests/support/infra.py is never touched.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from tests.support.processes import free_port

SERVER_USER = "postgres"
SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200")


def server_binaries() -> Path | None:
    """The folder of the newest installed PostgreSQL's initdb and pg_ctl, if any."""
    installed = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if installed:
        return installed[-1].parent
    found = shutil.which("pg_ctl")
    return Path(found).resolve().parent if found else None


def why_not_runnable() -> str | None:
    """Why this process cannot run a server of its own (None when it can)."""
    if server_binaries() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl) installed"
    try:
        account = pwd.getpwnam(SERVER_USER)
    except KeyError:
        return f"no {SERVER_USER!r} system user to run PostgreSQL as"
    if os.geteuid() not in (0, account.pw_uid):
        return f"PostgreSQL runs as {SERVER_USER!r}: the test must run as root or as that user"
    return None


class PostgresServer:
    """One PostgreSQL cluster in a fresh folder, on 127.0.0.1 and a free port, trust auth."""

    def __init__(self) -> None:
        binaries = server_binaries()
        assert binaries is not None, why_not_runnable()
        self.binaries = binaries
        self.account = pwd.getpwnam(SERVER_USER)
        self.root = Path(tempfile.mkdtemp(prefix="cohort-pg-"))
        os.chown(self.root, self.account.pw_uid, self.account.pw_gid)
        self.data = self.root / "data"
        self.log_path = self.root / "server.log"
        self.port = free_port()

    @property
    def admin_url(self) -> str:
        """URL of the server's maintenance database, as its superuser."""
        return f"postgresql://{SERVER_USER}@127.0.0.1:{self.port}/postgres"

    def _run(self, *argv: str, timeout: float = 60) -> None:
        switch: dict[str, Any] = {}
        if os.geteuid() != self.account.pw_uid:
            switch = {"user": self.account.pw_uid, "group": self.account.pw_gid, "extra_groups": []}
        subprocess.run(
            [str(self.binaries / argv[0]), *argv[1:]],
            cwd=self.root,
            check=True,
            capture_output=True,
            timeout=timeout,
            **switch,
        )

    def init(self) -> "PostgresServer":
        """Create the cluster (superuser `postgres`, trust authentication)."""
        self._run("initdb", "-D", str(self.data), "-U", SERVER_USER, "--auth=trust", "-E", "UTF8")
        return self

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = [f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root}"]
        options += [f"-c {setting}" for setting in SETTINGS]
        self._run(
            "pg_ctl", "start", "-w", "-D", str(self.data), "-l", str(self.log_path),
            "-o", " ".join(options),
        )  # fmt: skip
        self.wait_ready()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: roll back open transactions, cut every connection)."""
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-w", "-D", str(self.data), "-m", mode)

    def wait_ready(self, timeout: float = 30) -> None:
        """Wait until a connection succeeds."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.admin_url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def log(self) -> str:
        """What the server wrote to its log so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def remove(self) -> None:
        """Stop the server at once and delete its folder."""
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


@contextmanager
def own_postgres() -> Iterator[PostgresServer]:
    """A running server of this test's own, removed afterwards whatever happens."""
    server = PostgresServer()
    try:
        server.init().start()
        yield server
    finally:
        server.remove()
