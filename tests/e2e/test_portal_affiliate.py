"""An affiliate editor's console in a real browser, against the whole stack: post an offering
whose meetings straddle a daylight-saving change (the skipped 02:30 refused next to its field),
publish it, see it staffed, export the roster as CSV and Excel, cancel it with a reason that the
educators' mail names; with and without JavaScript, in English and Spanish, on a phone, and
axe-core finds nothing on any console page."""

import csv
import io
import re
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.actors import World, messages_to
from tests.e2e.harness import Stack
from tests.support.browser import PHONE, axe_violations, chromium, mailed_link, sideways_overflow
from tests.support.notifier import plain_text

pytestmark = pytest.mark.e2e
DESKTOP = {"width": 1280, "height": 800}
TRICKY_NAME = '=HYPERLINK("http://evil.example","x")'
WORDS = {
    "en": {
        "console": "Affiliate console",
        "dashboard": "Affiliate dashboard",
        "new": "New offering",
        "program": "Program",
        "title": "Title",
        "format": "Format",
        "zone": "Time zone",
        "link": "Join link (online and hybrid)",
        "seats": "Seats per cohort",
        "meeting": "Meeting {}",
        "date": "Date",
        "starts": "Starts",
        "ends": "Ends",
        "add": "Add another meeting",
        "save": "Save as draft",
        "gap": "does not exist in America/New_York",
        "saved": "The offering is saved as a draft.",
        "publish": "Publish",
        "published": "The offering is published",
        "csv": "Download the roster (CSV)",
        "xlsx": "Download the roster (Excel)",
        "cancel link": "Cancel the offering",
        "reason": "Reason",
        "cancel": "Cancel offering",
        "cancelled": "The offering is cancelled.",
        "offerings": "Offerings",
        "members": "Members",
        "name": "Name",
        "invite": "Send the invitation",
        "remove": "Remove the member",
        "keys": "API keys",
        "key name": "Name of the key",
        "make key": "Make the key",
        "revoke": "Revoke the key",
    },
    "es": {
        "console": "Consola de la afiliada",
        "dashboard": "Panel de la afiliada",
        "new": "Nueva oferta",
        "program": "Programa",
        "title": "Título",
        "format": "Formato",
        "zone": "Zona horaria",
        "link": "Enlace para unirse (en línea e híbrida)",
        "seats": "Plazas por grupo",
        "meeting": "Sesión {}",
        "date": "Fecha",
        "starts": "Empieza",
        "ends": "Termina",
        "add": "Añadir otra sesión",
        "save": "Guardar como borrador",
        "gap": "no existe en America/New_York",
        "saved": "La oferta está guardada como borrador.",
        "publish": "Publicar",
        "published": "La oferta está publicada",
        "csv": "Descargar la lista (CSV)",
        "xlsx": "Descargar la lista (Excel)",
        "cancel link": "Cancelar la oferta",
        "reason": "Motivo",
        "cancel": "Cancelar la oferta",
        "cancelled": "La oferta está cancelada.",
        "offerings": "Ofertas",
        "members": "Miembros",
        "name": "Nombre",
        "invite": "Enviar la invitación",
        "remove": "Eliminar al miembro",
        "keys": "Claves de API",
        "key name": "Nombre de la clave",
        "make key": "Crear la clave",
        "revoke": "Revocar la clave",
    },
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@dataclass
class Editor:
    """An affiliate editor in a browser, checking every console page on arrival."""

    page: Page
    stack: Stack
    world: World
    words: dict[str, str]
    javascript: bool = True
    found: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    overflow: dict[str, int] = field(default_factory=dict)

    def check(self, name: str) -> None:
        """Run axe and measure sideways scrolling on the page as it is now (axe runs in the
        page: not where JavaScript is off)."""
        if not self.javascript:
            return
        self.found[name] = axe_violations(self.page)
        self.overflow[name] = sideways_overflow(self.page)

    def meeting(self, number: int, day: str, starts: str, ends: str) -> None:
        """Fill in one meeting row."""
        group = self.page.get_by_role("group", name=self.words["meeting"].format(number))
        group.get_by_label(self.words["date"]).fill(day)
        group.get_by_label(self.words["starts"]).fill(starts)
        group.get_by_label(self.words["ends"]).fill(ends)


def _affiliate_id(stack: Stack, world: World) -> int:
    answer = httpx.get(f"{stack.registry}/affiliates", headers=stack.admin, params={"limit": 100})
    found = [a["id"] for a in answer.json()["items"] if a["name"].endswith(world.tag)]
    assert found, answer.text
    return int(found[0])


def _editor_signs_in(editor: Editor, email: str, role: str = "editor") -> None:
    stack = editor.stack
    member = {"name": "Rosa Peña", "email": email, "member_role": role}
    affiliate_id = _affiliate_id(stack, editor.world)
    url = f"{stack.accounts}/affiliates/{affiliate_id}/members"
    assert httpx.post(url, headers=stack.admin, json=member).status_code == 201
    editor.page.goto(mailed_link(stack.sink, email))
    editor.page.locator("form button[type=submit]").last.click()
    editor.page.wait_for_url(f"{stack.portal}/")
    editor.page.get_by_role("link", name=editor.words["console"]).click()
    expect(editor.page.get_by_role("heading", level=1)).to_have_text(editor.words["dashboard"])
    editor.check("dashboard")


def _post_with_a_gap(editor: Editor, title: str) -> None:
    page, words = editor.page, editor.words
    page.get_by_role("link", name=words["new"]).first.click()
    editor.check("new offering form")
    page.get_by_label(words["program"]).select_option(editor.world.program_code)
    page.get_by_label(words["title"]).fill(title)
    page.get_by_label(words["format"]).select_option("virtual")
    page.get_by_label(words["zone"]).select_option("America/New_York")
    page.get_by_label(words["link"]).fill("https://meet.example.org/dst")
    page.get_by_label(words["seats"]).fill("20")
    editor.meeting(1, "2027-03-07", "09:00", "12:00")
    page.get_by_role("button", name=words["add"]).click()
    editor.meeting(2, "2027-03-14", "02:30", "05:00")
    page.get_by_role("button", name=words["save"]).click()
    second = page.get_by_role("group", name=words["meeting"].format(2))
    start = second.get_by_label(words["starts"])
    expect(start).to_have_attribute("aria-invalid", "true")
    error_id = start.get_attribute("aria-describedby") or ""
    assert "meeting_1_start-error" in error_id
    expect(page.locator("#meeting_1_start-error")).to_contain_text(words["gap"])
    expect(second.get_by_label(words["date"])).to_have_value("2027-03-14")
    editor.check("new offering form with an error")


def _fix_and_publish(editor: Editor) -> int:
    page, words = editor.page, editor.words
    editor.meeting(2, "2027-03-14", "09:00", "12:00")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("status")).to_have_text(words["saved"])
    editor.check("offering, draft")
    page.get_by_role("button", name=words["publish"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["published"])
    found = re.search(r"/offerings/(\d+)", page.url)
    assert found
    _reload_until(page, "Ana Díaz")
    editor.check("offering, published and staffed")
    return int(found.group(1))


def _reload_until(page: Page, text: str, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while text not in (page.get_by_role("main").text_content() or ""):
        assert time.monotonic() < deadline, f"{text!r} never appeared"
        time.sleep(0.5)
        page.reload()


def _download(page: Page, name: str) -> bytes:
    with page.expect_download() as download:
        page.get_by_role("link", name=name).click()
    path = download.value.path()
    with open(path, "rb") as file:
        return file.read()


def _exports(editor: Editor) -> None:
    page, words = editor.page, editor.words
    raw = _download(page, words["csv"])
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    names = {row[3] for row in rows[1:]}
    assert {"Ana Díaz", "José Núñez", "'" + TRICKY_NAME} <= names, rows
    workbook = openpyxl.load_workbook(io.BytesIO(_download(page, words["xlsx"])))
    cells = [cell for row in workbook.active.iter_rows() for cell in row]
    assert all(cell.data_type == "s" for cell in cells if cell.value is not None)
    values = {cell.value for cell in cells}
    assert {"José Núñez", "'" + TRICKY_NAME} <= values


def _cancel(editor: Editor, reason: str) -> None:
    page, words = editor.page, editor.words
    page.get_by_role("link", name=words["cancel link"]).click()
    editor.check("cancel offering confirmation")
    page.get_by_label(words["reason"]).fill(reason)
    page.get_by_role("button", name=words["cancel"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["cancelled"])
    editor.check("offering, cancelled")
    page.get_by_role("link", name=words["offerings"], exact=True).click()
    editor.check("offerings")


def _told(stack: Stack, email: str, reason: str) -> bool:
    return any(reason in plain_text(m.parsed()) for m in messages_to(stack.sink.messages, email))


@pytest.mark.parametrize(
    ("language", "javascript", "viewport"),
    [("en", True, PHONE), ("en", False, DESKTOP), ("es", True, PHONE), ("es", False, DESKTOP)],
    ids=["en-javascript-phone", "en-no-javascript", "es-javascript-phone", "es-no-javascript"],
)
def test_an_editor_posts_across_daylight_saving_exports_the_roster_and_cancels(
    stack: Stack, browser: Browser, language: str, javascript: bool, viewport: dict[str, int]
) -> None:
    world = World.create(stack)
    context = browser.new_context(
        java_script_enabled=javascript,
        viewport=viewport,  # type: ignore[arg-type]
        extra_http_headers={"Accept-Language": language},
        accept_downloads=True,
    )
    editor = Editor(context.new_page(), stack, world, WORDS[language], javascript)
    _editor_signs_in(editor, f"editor.{secrets.token_hex(4)}@affiliates.test")
    _post_with_a_gap(editor, f"Spring forward {world.tag}")
    offering = {"id": _fix_and_publish(editor)}
    educators = [world.signed_in_educator("José Núñez"), world.signed_in_educator(TRICKY_NAME)]
    for educator in educators:
        assert world.register(educator, offering)["status"] == "confirmed"
    _reload_until(editor.page, "José Núñez")
    _exports(editor)
    reason = f"The venue flooded {world.tag}"
    _cancel(editor, reason)
    emails = [educator["email"] for educator in educators]
    stack.sink.wait_for(lambda _seen: all(_told(stack, e, reason) for e in emails), timeout=60)
    context.close()
    assert len(editor.found) == (8 if javascript else 0)
    assert {name: v for name, v in editor.found.items() if v} == {}
    assert {name: px for name, px in editor.overflow.items() if px} == {}


def _keys(admin: Editor) -> None:
    """Make an API key (shown once, and it works), then revoke it."""
    page, words = admin.page, admin.words
    page.get_by_role("link", name=words["keys"]).click()
    page.get_by_label(words["key name"]).fill("nightly sync")
    page.get_by_role("button", name=words["make key"]).click()
    key = page.locator("code").text_content() or ""
    token = httpx.post(f"{admin.stack.accounts}/token", headers={"Authorization": f"Bearer {key}"})
    assert token.status_code == 200, token.text
    admin.check("api keys, one made")
    page.get_by_role("link", name=re.compile("nightly sync")).click()
    admin.check("revoke key confirmation")
    page.get_by_role("button", name=words["revoke"]).click()
    expect(page.get_by_role("status")).to_be_visible()
    admin.check("api keys, revoked")


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_admin_invites_and_removes_a_member_on_a_phone(
    stack: Stack, browser: Browser, language: str
) -> None:
    context = browser.new_context(
        viewport=PHONE,  # type: ignore[arg-type]
        extra_http_headers={"Accept-Language": language},
    )
    admin = Editor(context.new_page(), stack, World.create(stack), WORDS[language])
    _editor_signs_in(admin, f"admin.{secrets.token_hex(4)}@affiliates.test", role="admin")
    page, words = admin.page, admin.words
    page.get_by_role("link", name=words["members"]).click()
    admin.check("members")
    page.get_by_role("button", name=words["invite"]).click()
    expect(page.get_by_label(words["name"], exact=True)).to_have_attribute("aria-invalid", "true")
    admin.check("members with an error")
    invited = f"new.{secrets.token_hex(4)}@affiliates.test"
    page.get_by_label(words["name"], exact=True).fill("Mia Núñez")
    page.locator("#email").fill(invited)
    page.get_by_role("button", name=words["invite"]).click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text(invited)
    admin.check("members, invited")
    page.get_by_role("link", name=re.compile("Mia Núñez")).click()
    admin.check("remove member confirmation")
    page.get_by_role("button", name=words["remove"]).click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text(invited)
    _keys(admin)
    context.close()
    assert len(admin.found) == 8
    assert {name: v for name, v in admin.found.items() if v} == {}
    assert {name: px for name, px in admin.overflow.items() if px} == {}
