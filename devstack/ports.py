"""The ports `make run` and `make demo` listen on, set through the environment; busy-port checks."""

import errno
import socket
from collections.abc import Mapping

PORT_VARIABLES = {
    "portal": "COHORT_PORTAL_PORT",
    "accounts": "COHORT_ACCOUNTS_PORT",
    "registry": "COHORT_REGISTRY_PORT",
    "scheduler": "COHORT_SCHEDULER_PORT",
    "notifier": "COHORT_NOTIFIER_PORT",
    "mail viewer": "COHORT_MAIL_VIEWER_PORT",
}
DEFAULT_PORTS = {
    "portal": 8000,
    "accounts": 8004,
    "registry": 8001,
    "scheduler": 8002,
    "notifier": 8003,
    "mail viewer": 8025,
}


class StackError(Exception):
    """The stack cannot start or keep running; the message says why and what to do."""


def _parse(variable: str, text: str) -> int:
    if not text.strip().isdigit() or not 1 <= int(text) <= 65535:
        raise StackError(f"{variable} must be a port number from 1 to 65535, not {text!r}")
    return int(text)


def configured_ports(env: Mapping[str, str]) -> dict[str, int]:
    """Each service's port: its COHORT_*_PORT variable, else the default."""
    ports = {
        name: _parse(variable, env[variable]) if env.get(variable) else DEFAULT_PORTS[name]
        for name, variable in PORT_VARIABLES.items()
    }
    seen: dict[int, str] = {}
    for name, port in ports.items():
        if port in seen:
            raise StackError(
                f"{PORT_VARIABLES[seen[port]]} and {PORT_VARIABLES[name]} are both {port}: "
                "give each service a port of its own"
            )
        seen[port] = name
    return ports


def in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Tell whether something holds `port` (listening, or bound on any address)."""
    with socket.socket() as sock:
        # Without SO_REUSEADDR a port a stopped stack left in TIME_WAIT would look busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return True
            raise
    return False


def busy_message(port: int, name: str, variable: str) -> str:
    """What to tell the user about one busy port."""
    return f"port {port} ({name}) is in use — is another `make run` up? stop it or set {variable}"


def busy_ports(
    wanted: Mapping[str, int], variables: Mapping[str, str] = PORT_VARIABLES
) -> list[str]:
    """A message for every busy port of `wanted` (service name → port)."""
    return [
        busy_message(port, name, variables[name]) for name, port in wanted.items() if in_use(port)
    ]
