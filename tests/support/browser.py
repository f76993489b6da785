"""A real browser for the portal's checks: Debian's Chromium driven by Playwright, and axe-core."""

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.notifier import addressed_to, plain_text
from tests.support.smtp import SmtpSink

# Playwright cannot download its own browser here: the system's Chromium is driven instead.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 375, "height": 812}
LINK = re.compile(r"https?://\S+/sign-in/confirm\?code=\S+")


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium for one test module."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """What axe-core finds against WCAG 2.2 AA on the page as it is now (id, help, nodes)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(" ")),
            }));
        }""",
        WCAG_AA,
    )
    return violations


def sideways_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than its viewport (0 when nothing scrolls sideways)."""
    width: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return width


def mailed_link(sink: SmtpSink, email: str, count: int = 1, timeout: float = 30) -> str:
    """The sign-in link of the `count`-th mail to `email` (waiting for it)."""
    sink.wait_for(lambda messages: len(addressed_to(messages, email)) >= count, timeout=timeout)
    mail = addressed_to(sink.messages, email)[count - 1].parsed()
    found = LINK.search(plain_text(mail))
    assert found, plain_text(mail)
    return found.group(0)


def sign_in_links(sink: SmtpSink, email: str) -> list[str]:
    """The sign-in links mailed to `email` so far, oldest first (other mail skipped)."""
    mails = [plain_text(m.parsed()) for m in addressed_to(sink.messages, email)]
    return [found.group(0) for text in mails if (found := LINK.search(text))]


def nth_sign_in_link(sink: SmtpSink, email: str, count: int, timeout: float = 30) -> str:
    """The `count`-th sign-in link mailed to `email`, waiting for it."""
    sink.wait_for(lambda _: len(sign_in_links(sink, email)) >= count, timeout=timeout)
    return sign_in_links(sink, email)[count - 1]
