"""docker-compose.yml as data: its services with anchors merged and ${VARIABLES} filled in."""

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:[-?])(?P<arg>[^}]*))?\}")


def load(name: str = "docker-compose.yml") -> dict[str, Any]:
    """A compose file of the repository, parsed (YAML anchors merged, variables left as written)."""
    loaded: dict[str, Any] = yaml.safe_load((ROOT / name).read_text())
    return loaded


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Fill in `${NAME}`, `${NAME:-default}` and `${NAME:?error}` the way compose does."""

    def fill(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        given = env.get(name) or None
        if given is not None:
            return given
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg if op == ":-" else ""

    return VARIABLE.sub(fill, value).replace("$$", "$")


def environment(service: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, str]:
    """A service's environment block with its variables filled in from `env`."""
    return {
        key: interpolate(str(value), env) for key, value in service.get("environment", {}).items()
    }
