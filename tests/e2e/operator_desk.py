"""An operator in the browser: invited by the bootstrap operator, signed in by the invitation."""

import uuid
from typing import Any

import httpx
from playwright.sync_api import Browser, Page

from tests.e2e.harness import Stack
from tests.support.browser import nth_sign_in_link

CONTINUE = "Continue"


def signed_in_operator(browser: Browser, stack: Stack) -> Any:
    """A new named operator signed in by the invitation's link; the browser's state, to reuse."""
    email = f"operator-{uuid.uuid4().hex[:8]}@union.test"
    added = httpx.post(
        f"{stack.accounts}/operators",
        headers=stack.admin,
        json={"name": "Olga Ramírez", "email": email},
    )
    assert added.status_code == 201, added.text
    context = browser.new_context()
    page = context.new_page()
    page.goto(nth_sign_in_link(stack.sink, email, 1))
    page.get_by_role("button", name=CONTINUE).click()
    page.wait_for_load_state()
    state = context.storage_state()
    context.close()
    return state


def page_for(browser: Browser, state: Any, language: str, javascript: bool = True) -> Page:
    """A new page in a browser holding the operator's session, in `language`."""
    context = browser.new_context(
        storage_state=state,
        java_script_enabled=javascript,
        extra_http_headers={"Accept-Language": language},
    )
    return context.new_page()
