"""The certificate mail: congratulations, links to the portal, the PDF attached.

For a sensitive program neither the subject nor the body names it (previews and lock screens show
them); the attached certificate does, since it exists to be shown.
"""

from markupsafe import escape

from services.notifier.certificates import words as wording
from services.notifier.certificates.document import verification_url
from services.notifier.rendering import mime
from services.notifier.rendering.outgoing import Outgoing, finished
from services.notifier.rendering.words import language
from shared.settings import get_settings

CERTIFICATE = "certificate"
FILENAME = "certificate.pdf"


def subject(program_title: str, *, sensitive: bool, locale: str) -> str:
    """The subject: the program's title unless it is sensitive."""
    words = wording.words_for(locale)
    return words["subject_neutral"] if sensitive else words["subject"].format(program=program_title)


def bodies(
    *, name: str, program_title: str, sensitive: bool, locale: str, certificate_id: str
) -> tuple[str, str]:
    """The text and HTML bodies of the mail."""
    words = wording.words_for(locale)
    portal = get_settings().cohort_portal_url.rstrip("/")
    topic = words["topic_neutral"] if sensitive else f"“{program_title}”"
    verify, me = verification_url(portal, certificate_id), f"{portal}/me"
    lines = [
        words["hello"].format(name=name),
        words["lead"].format(topic=topic),
        f"{words['see_all']}: {me}",
        f"{words['check']}: {verify}",
        words["signature"],
    ]
    html = (
        f'<!DOCTYPE html><html lang="{language(locale)}"><body>'
        f"<p>{escape(lines[0])}</p><p>{escape(lines[1])}</p>"
        f'<p><a href="{escape(me)}">{escape(words["see_all"])}</a></p>'
        f'<p>{escape(words["check"])}: <a href="{escape(verify)}">{escape(verify)}</a></p>'
        f"<p>{escape(lines[4])}</p></body></html>"
    )
    return "\n\n".join(lines) + "\n", html


def certificate_message(
    *,
    to_name: str,
    to_email: str,
    person_id: int,
    certificate_id: str,
    program_title: str,
    sensitive: bool,
    locale: str,
    pdf: bytes,
    reply_to: str | None = None,
) -> Outgoing:
    """The one mail of a certificate (the ledger's key holds it to one per certificate)."""
    outgoing = Outgoing(
        recipient=to_email,
        kind=CERTIFICATE,
        variant=certificate_id,
        person_id=person_id,
    )

    def build() -> bytes:
        sender = get_settings().cohort_mail_from
        reply = mime.reply_address(reply_to) if reply_to else None
        text_body, html_body = bodies(
            name=to_name,
            program_title=program_title,
            sensitive=sensitive,
            locale=locale,
            certificate_id=certificate_id,
        )
        return mime.compose_message(
            sender=sender,
            to_name=to_name,
            to_email=to_email,
            subject=subject(program_title, sensitive=sensitive, locale=locale),
            text_body=text_body,
            html_body=html_body,
            calendar_text=None,
            method=None,
            message_id_domain=mime.mail_domain(sender),
            headers={"X-Cohort-Kind": CERTIFICATE} | ({"Reply-To": reply} if reply else {}),
            attachments=[mime.Attachment(FILENAME, "application/pdf", pdf)],
        )

    return finished(outgoing, build)
