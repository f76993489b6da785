"""Every vendored file is the one its README records: same bytes (sha256), with its licence."""

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDORED = [
    *sorted((ROOT / "services/portal/static/vendor").glob("*/README.md")),
    *sorted((ROOT / "tests/support/vendor").glob("*/README.md")),
]
# "sha256 of axe.min.js: `…`", or "sha256: `…`" where the folder holds one vendored file.
RECORDED = re.compile(r"sha256(?: of (?P<name>[\w.-]+))?: `(?P<digest>[0-9a-f]{64})`")


def test_the_portal_vendors_htmx() -> None:
    assert ROOT / "services/portal/static/vendor/htmx/README.md" in VENDORED


@pytest.mark.parametrize("readme", VENDORED, ids=lambda path: path.parent.name)
def test_the_vendored_file_matches_its_recorded_hash(readme: Path) -> None:
    found = RECORDED.search(readme.read_text(encoding="utf-8"))
    assert found, f"{readme} records no sha256"
    if found["name"]:
        vendored = readme.parent / found["name"]
    else:
        (vendored,) = [p for p in readme.parent.iterdir() if p.name not in ("README.md", "LICENSE")]
    assert hashlib.sha256(vendored.read_bytes()).hexdigest() == found["digest"], vendored


def test_the_portal_serves_htmx_with_its_licence() -> None:
    folder = ROOT / "services/portal/static/vendor/htmx"
    assert "Zero-Clause BSD" in (folder / "LICENSE").read_text(encoding="utf-8")
    assert "htmx.org@" in (folder / "README.md").read_text(encoding="utf-8")
