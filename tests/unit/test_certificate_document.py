"""Certificates and transcripts render to tagged PDF offline: what they say, their QR code, and a
fetcher that refuses every URL but the vendored fonts."""

from datetime import date
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from services.notifier.certificates import document, mail
from services.notifier.certificates.document import CertificateView, VendoredFetcher
from tests.support.certificates import pdf_qr_codes, pdf_text, pdf_tool

PORTAL = "https://portal.example.org"
VIEW = CertificateView(
    id="crt_7Hq2LmP9xZ",
    educator_name="Dana Teacher",
    program_title="Classroom Management",
    offering_title="Calm classrooms",
    hours=7.5,
    completed_on=date(2026, 11, 3),
    affiliate_name="Ohio Education Association",
    facilitator_names=("Fay Leader", "Sam Guide"),
    meeting_dates=("2026-10-27", "2026-11-03"),
)


def test_the_certificate_names_everything_it_certifies(tmp_path: Path) -> None:
    fetcher = VendoredFetcher()
    text = pdf_text(document.certificate_pdf(VIEW, portal_url=PORTAL, fetcher=fetcher), tmp_path)
    for expected in (
        "Certificate of completion",
        "Dana Teacher",
        "Classroom Management",
        "7.5 PD hours",
        "November 3, 2026",
        "October 27, 2026",
        "Ohio Education Association",
        "Fay Leader, Sam Guide",
        f"{PORTAL}/verify/crt_7Hq2LmP9xZ",
    ):
        assert expected in text, expected
    assert fetcher.refused == []


def test_its_qr_code_is_the_verification_url(tmp_path: Path) -> None:
    pdf = document.certificate_pdf(VIEW, portal_url=PORTAL)
    assert pdf_qr_codes(pdf, tmp_path) == [f"{PORTAL}/verify/crt_7Hq2LmP9xZ"]


def test_the_pdf_is_tagged_with_embedded_fonts(tmp_path: Path) -> None:
    pdf = document.certificate_pdf(VIEW, portal_url=PORTAL)
    info = pdf_tool("pdfinfo", pdf, tmp_path)
    assert "Tagged:          yes" in info and "Pages:           1" in info
    fonts = pdf_tool("pdffonts", pdf, tmp_path).splitlines()[2:]
    assert len(fonts) == 2 and all(" yes yes yes " in line for line in fonts), fonts


def test_a_spanish_certificate_speaks_spanish(tmp_path: Path) -> None:
    spanish = CertificateView(**{**VIEW.__dict__, "locale": "es", "educator_name": "Lucía Pérez"})
    text = pdf_text(document.certificate_pdf(spanish, portal_url=PORTAL), tmp_path)
    assert "Certificado de finalización" in text
    assert "Lucía Pérez" in text
    assert "3 de noviembre de 2026" in text
    assert "7,5 horas de desarrollo profesional" in text


def test_a_revoked_certificate_says_so(tmp_path: Path) -> None:
    revoked = CertificateView(**{**VIEW.__dict__, "status": "revoked"})
    text = pdf_text(document.certificate_pdf(revoked, portal_url=PORTAL), tmp_path)
    assert "This certificate was revoked." in text


def test_an_erased_holder_reads_as_a_placeholder(tmp_path: Path) -> None:
    erased = CertificateView(**{**VIEW.__dict__, "educator_name": ""})
    text = pdf_text(document.certificate_pdf(erased, portal_url=PORTAL), tmp_path)
    assert "(name removed at the holder's request)" in text


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/logo.png",
        "https://example.org/font.ttf",
        "file:///etc/passwd",
        "file:///usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    ],
)
def test_the_fetcher_refuses_anything_but_the_vendored_files(url: str) -> None:
    fetcher = VendoredFetcher()
    html = f'<html lang="en"><title>t</title><body><p>Hello</p><img alt="x" src="{url}"></body>'
    pdf = document._render(html, fetcher)
    assert pdf.startswith(b"%PDF")
    assert fetcher.refused == [url]
    with pytest.raises(document.RefusedUrl):
        fetcher.fetch(url)


def test_the_vendored_fonts_are_served() -> None:
    response = VendoredFetcher().fetch((document.FONTS / "DejaVuSans.ttf").as_uri())
    assert response.status == 200


def test_the_transcript_totals_the_valid_hours_only(tmp_path: Path) -> None:
    revoked = CertificateView(**{**VIEW.__dict__, "id": "crt_revoked01", "status": "revoked"})
    other = CertificateView(**{**VIEW.__dict__, "id": "crt_other0001", "hours": 2})
    view = document.TranscriptView("Dana Teacher", "en", [VIEW, other, revoked])
    text = pdf_text(document.transcript_pdf(view, portal_url=PORTAL), tmp_path)
    assert "Total valid PD hours: 9.5 PD hours" in text
    assert "revoked" in text and "Dana Teacher" in text


def _mail(sensitive: bool, locale: str = "en") -> EmailMessage:
    outgoing = mail.certificate_message(
        to_name="Dana Teacher",
        to_email="dana@schools.example.org",
        person_id=7,
        certificate_id=VIEW.id,
        program_title="Grief support",
        sensitive=sensitive,
        locale=locale,
        pdf=b"%PDF-1.7 test",
        reply_to="training@ohea.example.org",
    )
    assert outgoing.error is None and outgoing.kind == "certificate"
    parsed = message_from_bytes(outgoing.message, policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_the_mail_attaches_the_pdf_and_links_to_the_portal() -> None:
    message = _mail(sensitive=False)
    assert message["Subject"] == "Your certificate: Grief support"
    assert message["Reply-To"] == "training@ohea.example.org"
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "certificate.pdf"
    assert attachment.get_content() == b"%PDF-1.7 test"
    body = message.get_body(("plain",))
    assert body is not None
    assert "/me" in body.get_content() and f"/verify/{VIEW.id}" in body.get_content()


@pytest.mark.parametrize(
    ("locale", "subject"), [("en", "Your certificate"), ("es", "Tu certificado")]
)
def test_a_sensitive_programs_mail_stays_neutral(locale: str, subject: str) -> None:
    message = _mail(sensitive=True, locale=locale)
    assert message["Subject"] == subject
    for part in ("plain", "html"):
        body = message.get_body((part,))
        assert body is not None and "Grief" not in body.get_content()
