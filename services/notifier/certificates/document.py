"""Certificates and transcripts as tagged PDF (PDF/UA-1), rendered by WeasyPrint from HTML.

Rendering never reaches a network or the file system beyond the vendored fonts: the fetcher
refuses every other URL (`RefusedUrl`), and the QR code is drawn inline as SVG.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from services.notifier.certificates import words as wording
from services.notifier.rendering import dates
from services.notifier.rendering.words import language

FONTS = Path(__file__).with_name("fonts")
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(enabled_extensions=("html.j2",)),
    undefined=StrictUndefined,
    auto_reload=False,
)


class RefusedUrl(ValueError):
    """A document asked for something outside the vendored files."""


class VendoredFetcher(URLFetcher):
    """Serves the vendored fonts and refuses everything else, recording what was asked."""

    def __init__(self, allowed: Path = FONTS) -> None:
        super().__init__(fail_on_errors=False)
        self.allowed = allowed.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """The bytes of a vendored file; `RefusedUrl` for any other URL."""
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0].split("#")[0]).resolve()
            if path.is_relative_to(self.allowed) and path.is_file():
                return URLFetcherResponse(url, body=path.read_bytes())
        self.refused.append(url)
        raise RefusedUrl(f"not a vendored file: {url[:80]}")


@dataclass(frozen=True)
class CertificateView:
    """What a certificate shows (the notifier's `Certificate` row has these fields)."""

    id: str
    educator_name: str
    program_title: str
    hours: float
    completed_on: date
    affiliate_name: str
    locale: str = "en"
    offering_title: str = ""
    facilitator_names: Sequence[str] = ()
    meeting_dates: Sequence[str] = ()
    status: str = "valid"


@dataclass(frozen=True)
class TranscriptView:
    """A person's certificates, newest first, with the total of the valid ones' hours."""

    educator_name: str
    locale: str
    certificates: Sequence[CertificateView] = field(default_factory=tuple)


def verification_url(portal_url: str, certificate_id: str) -> str:
    """Where anyone checks a certificate: the portal's verification page."""
    return f"{portal_url.rstrip('/')}/verify/{certificate_id}"


def qr_svg(url: str) -> Markup:
    """The URL as an inline SVG QR code (dark on white, quiet zone included)."""
    code = segno.make(url, error="m", micro=False)
    return Markup(code.svg_inline(scale=4, dark="#000", light="#fff", omitsize=False))


def _render(html: str, fetcher: VendoredFetcher | None) -> bytes:
    document = HTML(
        string=html, base_url=FONTS.as_uri() + "/", url_fetcher=fetcher or VendoredFetcher()
    )
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    assert pdf is not None
    return pdf


def _shown(view: CertificateView) -> dict[str, object]:
    locale = language(view.locale)
    meeting_days = [date.fromisoformat(day) for day in view.meeting_dates]
    return {
        "name": wording.holder_name(view.educator_name, locale),
        "program": view.program_title,
        "training": view.offering_title,
        "hours": dates.hours(view.hours, locale),
        "completed_on": wording.long_date(view.completed_on, locale),
        "meetings": [wording.long_date(day, locale) for day in meeting_days],
        "affiliate": view.affiliate_name,
        "facilitators": ", ".join(view.facilitator_names),
        "revoked": view.status == "revoked",
        "status": wording.words_for(locale)[f"status_{view.status}"],
        "id": view.id,
    }


def certificate_pdf(
    view: CertificateView, *, portal_url: str, fetcher: VendoredFetcher | None = None
) -> bytes:
    """The certificate as PDF, naming its verification URL and carrying it as a QR code."""
    locale = language(view.locale)
    url = verification_url(portal_url, view.id)
    html = TEMPLATES.get_template("certificate.html.j2").render(
        lang=locale, w=wording.words_for(locale), c=_shown(view), url=url, qr=qr_svg(url)
    )
    return _render(html, fetcher)


def transcript_pdf(
    view: TranscriptView, *, portal_url: str, fetcher: VendoredFetcher | None = None
) -> bytes:
    """Every certificate of one person in a table, with the total of valid PD hours."""
    locale = language(view.locale)
    total = sum(c.hours for c in view.certificates if c.status == "valid")
    rows = [_shown(c) | {"url": verification_url(portal_url, c.id)} for c in view.certificates]
    html = TEMPLATES.get_template("transcript.html.j2").render(
        lang=locale,
        w=wording.words_for(locale),
        name=wording.holder_name(view.educator_name, locale),
        rows=rows,
        total=dates.hours(total, locale),
    )
    return _render(html, fetcher)
