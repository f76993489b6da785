"""The services' shape, measured from their own imports: feature folders, few rooms, no cycles."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

from tests.support.imports import REPO, imported, module_name

SCHEDULER = REPO / "services" / "scheduler"
FEATURES = ("people", "offerings", "registrations", "assignments")
MAX_ROOMS = 16
MAX_LEVELS = 8
MAX_MODULE_LINES = 300
MAX_FUNCTION_LINES = 50


def _rooms(service: Path) -> list[str]:
    """The top-level modules and packages of a service."""
    names = {path.stem for path in service.glob("*.py") if path.name != "__init__.py"}
    names |= {path.name for path in service.iterdir() if (path / "__init__.py").exists()}
    return sorted(names)


def _room_graph(service: Path) -> dict[str, set[str]]:
    """Which rooms each room of a service imports (its own modules excluded)."""
    own = module_name(service)
    graph: dict[str, set[str]] = {room: set() for room in _rooms(service)}
    for path in service.rglob("*.py"):
        relative = path.relative_to(service)
        if relative.parts[0] == "__init__.py":
            continue
        room = relative.parts[0].removesuffix(".py")
        for name in imported(path):
            if name.startswith(f"{own}."):
                target = name.removeprefix(f"{own}.").split(".")[0]
                if target != room and target in graph:
                    graph[room].add(target)
    return graph


def _levels(graph: dict[str, set[str]]) -> int:
    """How many import levels the graph stacks (a room importing nothing is level 1)."""
    level: dict[str, int] = {}
    for room in TopologicalSorter(graph).static_order():
        level[room] = 1 + max((level[dep] for dep in graph[room]), default=0)
    return max(level.values())


def _module_graph(service: Path) -> dict[str, set[str]]:
    """Which of a service's modules each of its modules imports."""
    modules = {module_name(path): path for path in service.rglob("*.py")}
    return {
        name: {target for target in imported(path) if target in modules and target != name}
        for name, path in modules.items()
    }


def _sources() -> list[Path]:
    """Every Python module of the services and the shared package."""
    return sorted([*(REPO / "services").rglob("*.py"), *(REPO / "shared").rglob("*.py")])


def test_the_scheduler_has_feature_folders_and_no_prefixed_files() -> None:
    rooms = _rooms(SCHEDULER)
    for feature in FEATURES:
        assert (SCHEDULER / feature / "__init__.py").exists(), feature
    assert (SCHEDULER / "assignments" / "engine" / "__init__.py").exists()
    prefixed = [room for room in rooms if room.startswith(("service_", "api_"))]
    assert prefixed == []


@pytest.mark.parametrize("service", ["scheduler", "notifier", "registry", "accounts"])
def test_rooms_are_few_shallow_and_acyclic(service: str) -> None:
    graph = _room_graph(REPO / "services" / service)
    assert len(graph) <= MAX_ROOMS, sorted(graph)
    try:
        levels = _levels(graph)
    except CycleError as cycle:
        pytest.fail(f"import cycle between rooms: {cycle.args[1]}")
    assert levels <= MAX_LEVELS


@pytest.mark.parametrize("service", ["scheduler", "notifier", "registry", "accounts"])
def test_no_module_imports_itself_round_a_cycle(service: str) -> None:
    try:
        tuple(TopologicalSorter(_module_graph(REPO / "services" / service)).static_order())
    except CycleError as cycle:
        pytest.fail(f"import cycle: {cycle.args[1]}")


def test_the_notifier_renders_and_delivers_in_their_own_folders() -> None:
    notifier = REPO / "services" / "notifier"
    assert {"rendering", "delivery"} <= set(_rooms(notifier))


@pytest.mark.parametrize("path", _sources(), ids=lambda path: str(path.relative_to(REPO)))
def test_modules_and_functions_stay_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
