"""Sign-in through the real stack: accounts' request becomes a mailed link whose code works once."""

import re
from email.message import EmailMessage
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.e2e.harness import Stack
from tests.support.notifier import addressed_to, calendar_of, plain_text
from tests.support.smtp import Received

pytestmark = pytest.mark.e2e


def _mail_to(stack: Stack, email: str) -> EmailMessage:
    def arrived(messages: list[Received]) -> bool:
        return len(addressed_to(messages, email)) >= 1

    stack.sink.wait_for(arrived, timeout=30)
    (mail,) = addressed_to(stack.sink.messages, email)
    return mail.parsed()


def _code(link: str) -> str:
    (code,) = parse_qs(urlsplit(link).query)["code"]
    return code


@pytest.mark.parametrize(
    ("locale", "subject", "button"),
    [
        ("en", "Your Cohort sign-in link", "Sign in"),
        ("es", "Tu enlace para entrar en Cohort", "Entrar"),
    ],
)
def test_a_sign_in_request_mails_a_link_whose_code_works_once(
    stack: Stack, locale: str, subject: str, button: str
) -> None:
    email = f"ana.{locale}@schools.example.org"
    asked = httpx.post(f"{stack.accounts}/sign-in", json={"email": email, "locale": locale})
    assert asked.status_code == 202

    mail = _mail_to(stack, email)
    assert mail["Subject"] == subject and mail["X-Cohort-Kind"] == "sign_in"
    assert calendar_of(mail) == (None, None)
    text = plain_text(mail)
    assert button in text
    link = re.search(r"https?://\S+", text)
    assert link is not None
    html = mail.get_body(("html",))
    assert (
        html is not None and f'href="{link.group(0).replace("&", "&amp;")}"' in html.get_content()
    )

    code = _code(link.group(0))
    # Opening the link (a GET, as mail scanners do) uses nothing up; the page's POST does.
    assert httpx.get(f"{stack.accounts}/sign-in/redeem", params={"code": code}).status_code == 405
    redeemed = httpx.post(f"{stack.accounts}/sign-in/redeem", json={"code": code})
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["person"]["email"] == email
    again = httpx.post(f"{stack.accounts}/sign-in/redeem", json={"code": code})
    assert again.status_code == 400
