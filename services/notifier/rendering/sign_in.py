"""The sign-in mail: the one-time link accounts asked the notifier to send, in English or Spanish;
and the invitation, the same link mailed unasked to someone given a role.

The link opens the portal's confirm page, whose button signs the person in; opening the link alone
(as mail scanners do) uses nothing up, so the mail says to press the button.
"""

import hashlib
from datetime import datetime

from services.notifier.rendering import zones
from services.notifier.rendering.content import TEMPLATES
from services.notifier.rendering.outgoing import Outgoing, compose_mail, finished

SIGN_IN = "sign_in"
INVITATION = "invitation"
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
        "invitation_subject": "You have been invited to Cohort",
        "invited": "You have been invited to Cohort as {role}{by}. "
        "Open the link below and press “Sign in” to accept:",
        "invited_by": " by {name}",
        "not_expected": "If you did not expect this, ignore this message: "
        "nothing happens without the button.",
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
        "invitation_subject": "Te han invitado a Cohort",
        "invited": "Te han invitado a Cohort como {role}{by}. "
        "Abre el enlace y pulsa «Entrar» para aceptar:",
        "invited_by": " (te invita {name})",
        "not_expected": "Si no lo esperabas, ignora este mensaje: sin el botón no pasa nada.",
    },
}
# The roles accounts names in an invitation, as each language says them (others shown as sent).
ROLES = {
    "en": {
        "operator": "an operator",
        "facilitator": "a facilitator",
        "educator": "an educator",
        "affiliate admin": "an affiliate admin",
        "affiliate editor": "an affiliate editor",
        "affiliate viewer": "an affiliate viewer",
    },
    "es": {
        "operator": "operador",
        "facilitator": "facilitador",
        "educator": "educador",
        "affiliate admin": "administrador de un afiliado",
        "affiliate editor": "editor de un afiliado",
        "affiliate viewer": "lector de un afiliado",
    },
}


def sign_in_message(
    *,
    email: str,
    name: str | None,
    link: str,
    expires_at: datetime,
    locale: str = "en",
    kind: str = SIGN_IN,
    invited_by: str | None = None,
    role_label: str | None = None,
) -> Outgoing:
    """The sign-in (or invitation) mail to one address; one ledger row per link (the variant is
    its hash)."""
    variant = hashlib.sha256(link.encode()).hexdigest()[:32]
    kind = INVITATION if kind == INVITATION else SIGN_IN
    outgoing = Outgoing(recipient=email, kind=kind, variant=variant)
    lang = "es" if locale.lower().startswith("es") else "en"
    context = _context(lang, name, link, expires_at)
    if kind == INVITATION:
        context |= _invitation_words(lang, invited_by, role_label)
    subject = WORDS[lang]["invitation_subject" if kind == INVITATION else "subject"]
    return finished(outgoing, lambda: _compose(kind, email, name, subject, context))


def _context(lang: str, name: str | None, link: str, expires_at: datetime) -> dict[str, str]:
    words = WORDS[lang]
    until = zones.as_utc(expires_at).strftime("%Y-%m-%d %H:%M")
    return {
        "lang": lang,
        "hello": words["hello"].format(name=name) if name else words["hello_anonymous"],
        "asked": words["asked"],
        "button": words["button"],
        "once": words["once"].format(until=until),
        "not_you": words["not_you"],
        "link": link,
    }


def _invitation_words(lang: str, invited_by: str | None, role_label: str | None) -> dict[str, str]:
    words = WORDS[lang]
    label = role_label or "educator"
    role = ROLES[lang].get(label, label)
    by = words["invited_by"].format(name=invited_by) if invited_by else ""
    return {"asked": words["invited"].format(role=role, by=by), "not_you": words["not_expected"]}


def _compose(
    kind: str, email: str, name: str | None, subject: str, context: dict[str, str]
) -> bytes:
    return compose_mail(
        kind=kind,
        to_name=name or "",
        to_email=email,
        subject=subject,
        text_body=TEMPLATES.get_template("sign_in.txt.j2").render(context),
        html_body=TEMPLATES.get_template("sign_in.html.j2").render(context),
    )
