"""What a package's modules import, read from their source (nothing is imported to find out)."""

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def module_name(path: Path) -> str:
    """The dotted name of a source file of this repository."""
    parts = path.resolve().relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[str]:
    """Every absolute name an `import` or `from ... import` in this file names, modules or not."""
    package = module_name(path)
    if path.name != "__init__.py":
        package = package.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                source = f"{base}.{node.module}" if node.module else base
            else:
                source = node.module or ""
            yield source
            # `from package import module` names a module too; callers keep the names they know.
            yield from (f"{source}.{alias.name}" for alias in node.names)


def foreign_imports(
    root: Path, forbidden: tuple[str, ...], *, allowed: tuple[str, ...]
) -> list[str]:
    """Imports under `root` of a forbidden top-level package or of a module outside `allowed`."""
    offences = []
    own = module_name(root)
    for path in sorted(root.rglob("*.py")):
        for name in imported(path):
            top = name.split(".")[0]
            inside = name == own or name.startswith(f"{own}.")
            ours = top in {"services", "shared"}
            if top in forbidden or (ours and not inside and not name.startswith(allowed)):
                offences.append(f"{path.relative_to(root)} imports {name}")
    return offences
