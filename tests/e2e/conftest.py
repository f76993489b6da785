"""The running stack for end-to-end tests: started once for every module that wants a plain one,
and stopped as soon as the last of them is done (modules that build a stack of their own, to
restart or break it, run afterwards)."""

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.harness import Stack, whole_stack

E2E = Path(__file__).resolve().parent
_running: list[ExitStack] = []
_stack_modules: set[Path] = set()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The shared stack (each module keeps to its own people, programs and mailboxes)."""
    held = ExitStack()
    _running.append(held)
    try:
        yield held.enter_context(whole_stack(tmp_path_factory.mktemp("e2e-logs")))
    finally:
        held.close()


def _uses_stack(item: pytest.Item) -> bool:
    return "stack" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the modules using the shared stack first and together, so it starts once."""
    e2e = [i for i, item in enumerate(items) if E2E in Path(str(item.path)).parents]
    if not e2e:
        return
    _stack_modules.update(item.path for item in items if _uses_stack(item))
    ours = [items[i] for i in e2e]
    ordered = [it for it in ours if it.path in _stack_modules] + [
        it for it in ours if it.path not in _stack_modules
    ]
    for position, item in zip(e2e, ordered, strict=True):
        items[position] = item


def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """Stop the shared stack after the last test that uses it."""
    if _running and (nextitem is None or nextitem.path not in _stack_modules):
        _running.pop().close()
