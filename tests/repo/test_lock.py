"""The lock files pin every dependency with hashes, agree with pyproject.toml, and are what runs."""

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DEV_LOCK = ROOT / "requirements" / "dev.txt"
APP_LOCK = ROOT / "requirements" / "app.txt"
FUZZ_LOCK = ROOT / "requirements" / "fuzz.txt"


def entries(path: Path) -> list[tuple[Requirement, int]]:
    """Each requirement of a lock file (with its environment marker) and how many hashes it has."""
    found = []
    for entry in re.split(r"\n(?=[A-Za-z0-9])", path.read_text()):
        if entry[:1].isalnum():
            head = entry.split("\\", 1)[0].split("#", 1)[0].strip()
            found.append((Requirement(head), entry.count("--hash=sha256:")))
    return found


def locked(path: Path) -> dict[str, tuple[str, int]]:
    """The packages this interpreter installs from a lock file: version and number of hashes."""
    pins: dict[str, tuple[str, int]] = {}
    for requirement, hashes in entries(path):
        if requirement.marker is None or requirement.marker.evaluate():
            (pin,) = requirement.specifier
            pins[canonicalize_name(requirement.name)] = (pin.version, hashes)
    return pins


def declared(*, dev: bool) -> list[Requirement]:
    """The requirements pyproject.toml declares (with the dev extra when asked)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"])
    if dev:
        names += project["optional-dependencies"]["dev"]
    return [Requirement(name) for name in names]


@pytest.mark.parametrize("lock", [DEV_LOCK, APP_LOCK, FUZZ_LOCK], ids=lambda path: path.name)
def test_every_line_is_pinned_and_hashed(lock: Path) -> None:
    found = entries(lock)
    assert len(found) > 20
    for requirement, hashes in found:
        assert hashes > 0, f"{requirement.name} has no hash"
        pins = list(requirement.specifier)
        assert len(pins) == 1 and pins[0].operator == "==", f"{requirement} is not an exact pin"


@pytest.mark.parametrize(("lock", "dev"), [(DEV_LOCK, True), (APP_LOCK, False)])
def test_the_lock_satisfies_pyproject(lock: Path, dev: bool) -> None:
    pins = locked(lock)
    for requirement in declared(dev=dev):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is declared but not locked: run make lock"
        version = pins[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{name}=={version} is outside {requirement.specifier}: run make lock"
        )


def test_the_image_lock_matches_the_dev_lock() -> None:
    dev = {str(requirement) for requirement, _ in entries(DEV_LOCK)}
    app = {str(requirement) for requirement, _ in entries(APP_LOCK)}
    assert app <= dev
    assert not any(line.startswith(("pytest", "ruff", "mypy")) for line in app)


def test_this_environment_is_exactly_the_lock() -> None:
    for name, (version, _) in locked(DEV_LOCK).items():
        assert metadata.version(name) == version, f"{name}: installed != locked"


def test_installs_go_through_the_lock_with_hashes() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes --no-deps -r $(LOCK)" in makefile
    assert "LOCK     := requirements/dev.txt" in makefile
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes --no-deps -r requirements/app.txt" in dockerfile
    for text in (makefile, dockerfile):
        project_installs = [
            line for line in text.splitlines() if "install" in line and " ." in line
        ]
        assert project_installs and all("--no-deps" in line for line in project_installs)
