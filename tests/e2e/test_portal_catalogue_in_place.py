"""The catalogue in a real browser: with JavaScript, searching and paging swap only the results
and push their address (Back and bookmarks still work); without it, the same by whole pages."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.actors import World, meeting_body, next_weekday_at
from tests.e2e.harness import Stack
from tests.support.browser import axe_violations, chromium

pytestmark = pytest.mark.e2e
OFFERINGS = 11


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture(scope="module")
def world(stack: Stack) -> World:
    """A world with one more offering than fits on a page."""
    world = World.create(stack)
    for day in range(OFFERINGS):
        world.publish_offering([meeting_body(next_weekday_at(10 + day, 9))])
    return world


def _page(browser: Browser, *, javascript: bool) -> tuple[Page, list[str]]:
    context = browser.new_context(
        java_script_enabled=javascript, extra_http_headers={"Accept-Language": "en"}
    )
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    return page, refused


def _search(page: Page, words: str) -> None:
    page.get_by_label("Words in the title or description").fill(words)
    page.get_by_role("button", name="Search").click()


def _cards(page: Page) -> Any:
    return page.locator("#results li.card")


def test_with_javascript_the_results_change_in_place(
    stack: Stack, browser: Browser, world: World
) -> None:
    page, refused = _page(browser, javascript=True)
    page.goto(f"{stack.portal}/")
    page.wait_for_function("() => typeof window.htmx !== 'undefined'")
    page.evaluate("() => { window.stayedOnThePage = true; }")

    _search(page, world.tag)
    found = f"{OFFERINGS} trainings found"
    expect(page.get_by_role("heading", name=found)).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/\?q={world.tag}&"))
    expect(page.get_by_role("status")).to_have_text(found)
    expect(_cards(page)).to_have_count(10)
    assert page.evaluate("() => window.stayedOnThePage") is True
    # The language links come back to the address now shown.
    spanish = page.get_by_role("link", name="Español")
    expect(spanish).to_have_attribute("href", re.compile(rf"next=%2F%3Fq%3D{world.tag}"))
    assert axe_violations(page) == []

    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"after="))
    expect(_cards(page)).to_have_count(OFFERINGS - 10)
    expect(page.locator("#results-heading")).to_be_focused()
    assert page.evaluate("() => window.stayedOnThePage") is True

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"after="))
    expect(_cards(page)).to_have_count(10)
    expect(page.get_by_role("heading", name=found)).to_be_visible()

    # A search the form refuses is a whole page with its errors, as without JavaScript.
    page.get_by_label("State").fill("Ohio")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"state=Ohio"))
    expect(page.get_by_label("State")).to_have_attribute("aria-invalid", "true")
    assert refused == []
    page.context.close()


def test_without_javascript_search_and_pages_are_whole_pages(
    stack: Stack, browser: Browser, world: World
) -> None:
    page, _ = _page(browser, javascript=False)
    page.goto(f"{stack.portal}/")
    _search(page, world.tag)
    expect(page.get_by_role("heading", name=f"{OFFERINGS} trainings found")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/\?q={world.tag}&"))
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"after="))
    expect(_cards(page)).to_have_count(OFFERINGS - 10)
    page.get_by_role("link", name="Previous").click()
    expect(_cards(page)).to_have_count(10)
    page.context.close()
