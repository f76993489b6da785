"""The sign-in mail: the one-time link accounts asked the notifier to send, in English or Spanish.

The link opens the portal's confirm page, whose button signs the person in; opening the link alone
(as mail scanners do) uses nothing up, so the mail says to press the button.
"""

import hashlib
from datetime import datetime

from services.notifier.rendering import zones
from services.notifier.rendering.content import TEMPLATES
from services.notifier.rendering.outgoing import Outgoing, compose_mail, finished

SIGN_IN = "sign_in"
WORDS = {
    "en": {
        "subject": "Your Cohort sign-in link",
        "hello": "Hello {name},",
        "hello_anonymous": "Hello,",
        "asked": "Someone, we hope you, asked to sign in to Cohort with this address. "
        "Open the link below and press “Sign in”:",
        "button": "Open the sign-in page",
        "once": "The link works once, until {until} UTC.",
        "not_you": "If it was not you, ignore this message: nothing happens without the button.",
    },
    "es": {
        "subject": "Tu enlace para entrar en Cohort",
        "hello": "Hola, {name}:",
        "hello_anonymous": "Hola:",
        "asked": "Alguien, esperamos que tú, pidió entrar en Cohort con esta dirección. "
        "Abre el enlace y pulsa «Entrar»:",
        "button": "Abrir la página para entrar",
        "once": "El enlace sirve una sola vez, hasta las {until} UTC.",
        "not_you": "Si no fuiste tú, ignora este mensaje: sin el botón no pasa nada.",
    },
}


def sign_in_message(
    *, email: str, name: str | None, link: str, expires_at: datetime, locale: str = "en"
) -> Outgoing:
    """The sign-in mail to one address; one ledger row per link (the variant is its hash)."""
    variant = hashlib.sha256(link.encode()).hexdigest()[:32]
    outgoing = Outgoing(recipient=email, kind=SIGN_IN, variant=variant)
    return finished(outgoing, lambda: _compose(email, name, link, expires_at, locale))


def _compose(email: str, name: str | None, link: str, expires_at: datetime, locale: str) -> bytes:
    lang = "es" if locale.lower().startswith("es") else "en"
    words = WORDS[lang]
    until = zones.as_utc(expires_at).strftime("%Y-%m-%d %H:%M")
    context = {
        "lang": lang,
        "hello": words["hello"].format(name=name) if name else words["hello_anonymous"],
        "asked": words["asked"],
        "button": words["button"],
        "once": words["once"].format(until=until),
        "not_you": words["not_you"],
        "link": link,
    }
    return compose_mail(
        kind=SIGN_IN,
        to_name=name or "",
        to_email=email,
        subject=words["subject"],
        text_body=TEMPLATES.get_template("sign_in.txt.j2").render(context),
        html_body=TEMPLATES.get_template("sign_in.html.j2").render(context),
    )
