"""Every word of the notifier's booking mail, in English and Spanish (one key, both languages).

The Spanish follows the portal's catalogue (services/portal/locale/es): a training is a
"capacitación", a meeting a "sesión", a seat a "lugar"; the wording avoids gendered forms of
the reader ("Tu inscripción está confirmada", not "Estás inscrito").
"""

from typing import Final

LANGUAGES: Final = ("en", "es")

_EN = {
    "hello": "Hello {name},",
    "hello_anonymous": "Hello there,",
    "topic": "“{title}”",
    "topic_neutral": "a professional development session",
    "by_affiliate": " with {affiliate}",
    "neutral_summary": "Professional development session",
    "neutral_description": "Professional development session. The details are in your email.",
    "lead_invite": "You are registered for {topic}{by}. "
    "The attached calendar invitation holds the meetings below.",
    "lead_update": "There are changes to {topic}{by}{changes}. "
    "The attached calendar invitation is updated to match.",
    "lead_cancel": "Your place in {topic}{by} is cancelled. "
    "The attached update takes it off your calendar.",
    "lead_waitlisted": "You are on the waitlist for {topic}{by}{position}. "
    "If a place opens for you, your invitation comes straight away.",
    "lead_reminder": "A reminder: {topic}{by} is coming up.",
    "lead_facilitator_invite": "You are assigned to facilitate {topic}{by}. "
    "The attached calendar invitation holds the meetings below.",
    "lead_facilitator_cancel": "Your assignment to facilitate {topic}{by} is cancelled. "
    "The attached update takes it off your calendar.",
    "lead_notice": "Your place on the waitlist for {topic}{by} is cancelled.",
    "position": ", at position {position}",
    "subject_invite": "Registered: {topic}{when}",
    "subject_update": "Updated: {topic}{when}",
    "subject_cancel": "Cancelled: {topic}",
    "subject_waitlisted": "Waitlisted: {topic}",
    "subject_reminder": "Reminder: {topic}{when}",
    "subject_facilitator_invite": "Facilitation assignment: {topic}{when}",
    "subject_facilitator_cancel": "Facilitation assignment cancelled: {topic}",
    "subject_notice": "Waitlist place cancelled: {topic}",
    "program": "Program",
    "reason": "Reason",
    "meeting": "Meeting",
    "meetings": "Meetings",
    "cancelled": "cancelled",
    "where": "Where",
    "join_online": "Join online",
    "pd_hours": "This training counts for {hours}.",
    "pd_hour_count": "{hours} PD hour",
    "pd_hours_count": "{hours} PD hours",
    "what_changed": "What changed",
    "change_time": "Time",
    "change_venue": "Venue",
    "change_link": "Joining link",
    "nothing": "none",
    "your_time": "{span} your time",
    "about_training": "About this training",
    "my_trainings": "My trainings",
    "your_schedule": "Your schedule",
    "privacy": "For your privacy, this message and its calendar entry do not name the "
    "session's topic.",
    "on_behalf": "Cohort, on behalf of {affiliate}",
    "signature": "Cohort",
    "changed_time": "time",
    "changed_meetings": "meeting times",
    "changed_place": "place",
    "changed_link": "joining link",
    "changed_facilitator": "facilitator",
    "changed_title": "title",
    "changed_other": "details",
    "why_by_educator": "You cancelled your registration.",
    "why_by_affiliate": "The affiliate organising the training cancelled your registration.",
    "why_by_operator": "Cohort's staff cancelled your registration.",
    "why_offering_cancelled": "The training was cancelled.",
    "why_offering_cancelled_detail": "The training was cancelled: {detail}",
    "why_registration_closed": "Registration for this training has closed.",
    "why_unknown": "Your place on the waitlist is cancelled.",
}

_ES = {
    "hello": "Hola, {name}:",
    "hello_anonymous": "Hola:",
    "topic": "«{title}»",
    "topic_neutral": "una sesión de desarrollo profesional",
    "by_affiliate": " con {affiliate}",
    "neutral_summary": "Sesión de desarrollo profesional",
    "neutral_description": "Sesión de desarrollo profesional. Los detalles están en tu correo.",
    "lead_invite": "Tu inscripción en {topic}{by} está confirmada. "
    "La invitación de calendario adjunta contiene las sesiones que ves abajo.",
    "lead_update": "Hay cambios en {topic}{by}{changes}. "
    "La invitación de calendario adjunta ya está actualizada.",
    "lead_cancel": "Tu lugar en {topic}{by} está cancelado. "
    "La actualización adjunta lo quita de tu calendario.",
    "lead_waitlisted": "Estás en la lista de espera de {topic}{by}{position}. "
    "Si se libera un lugar para ti, recibirás tu invitación enseguida.",
    "lead_reminder": "Te recordamos que se acerca {topic}{by}.",
    "lead_facilitator_invite": "Se te asignó la facilitación de {topic}{by}. "
    "La invitación de calendario adjunta contiene las sesiones que ves abajo.",
    "lead_facilitator_cancel": "Tu asignación para facilitar {topic}{by} está cancelada. "
    "La actualización adjunta la quita de tu calendario.",
    "lead_notice": "Tu lugar en la lista de espera de {topic}{by} está cancelado.",
    "position": ", con el número {position}",
    "subject_invite": "Inscripción confirmada: {topic}{when}",
    "subject_update": "Cambios: {topic}{when}",
    "subject_cancel": "Inscripción cancelada: {topic}",
    "subject_waitlisted": "En la lista de espera: {topic}",
    "subject_reminder": "Recordatorio: {topic}{when}",
    "subject_facilitator_invite": "Asignación de facilitación: {topic}{when}",
    "subject_facilitator_cancel": "Asignación de facilitación cancelada: {topic}",
    "subject_notice": "Lugar en la lista de espera cancelado: {topic}",
    "program": "Programa",
    "reason": "Motivo",
    "meeting": "Sesión",
    "meetings": "Sesiones",
    "cancelled": "cancelada",
    "where": "Dónde",
    "join_online": "Unirse en línea",
    "pd_hours": "Esta capacitación cuenta por {hours}.",
    "pd_hour_count": "{hours} hora de desarrollo profesional",
    "pd_hours_count": "{hours} horas de desarrollo profesional",
    "what_changed": "Qué cambió",
    "change_time": "Horario",
    "change_venue": "Lugar",
    "change_link": "Enlace para unirse",
    "nothing": "ninguno",
    "your_time": "{span} en tu zona horaria",
    "about_training": "Sobre esta capacitación",
    "my_trainings": "Mis capacitaciones",
    "your_schedule": "Tu agenda",
    "privacy": "Por tu privacidad, este mensaje y su entrada de calendario no mencionan el "
    "tema de la sesión.",
    "on_behalf": "Cohort, en nombre de {affiliate}",
    "signature": "Cohort",
    "changed_time": "horario",
    "changed_meetings": "horarios de las sesiones",
    "changed_place": "lugar",
    "changed_link": "enlace para unirse",
    "changed_facilitator": "facilitador",
    "changed_title": "título",
    "changed_other": "detalles",
    "why_by_educator": "Cancelaste tu inscripción.",
    "why_by_affiliate": "El afiliado que organiza la capacitación canceló tu inscripción.",
    "why_by_operator": "El equipo de Cohort canceló tu inscripción.",
    "why_offering_cancelled": "La capacitación se canceló.",
    "why_offering_cancelled_detail": "La capacitación se canceló: {detail}",
    "why_registration_closed": "La inscripción para esta capacitación ya cerró.",
    "why_unknown": "Tu lugar en la lista de espera está cancelado.",
}

WORDS: Final = {"en": _EN, "es": _ES}

# What an update names as changed (the scheduler's field names), by the key of its words.
CHANGES: Final = {
    "time": "changed_time",
    "starts_at": "changed_time",
    "ends_at": "changed_time",
    "meetings": "changed_meetings",
    "location": "changed_place",
    "venue": "changed_place",
    "join_url": "changed_link",
    "facilitator": "changed_facilitator",
    "title": "changed_title",
}


def language(locale: str | None) -> str:
    """The language a locale's mail is written in: "es" for any Spanish, else "en"."""
    return "es" if (locale or "").lower().startswith("es") else "en"


def words_for(locale: str | None) -> dict[str, str]:
    """Every word of a mail, in the locale's language."""
    return WORDS[language(locale)]


def neutral_summary(title: str, sensitive: bool, locale: str | None = "en") -> str:
    """The title to show where others may see it: neutral for sensitive programs."""
    return words_for(locale)["neutral_summary"] if sensitive else title


def neutral_description(locale: str | None) -> str:
    """The calendar description of a sensitive program's meeting."""
    return words_for(locale)["neutral_description"]


def cancel_reason(reason: str | None, detail: str, *, sensitive: bool, locale: str) -> str:
    """Why a waitlist place ended, in words; a sensitive program's own words stay out (the
    affiliate may have named the program in them)."""
    words = words_for(locale)
    if reason == "offering_cancelled" and detail.strip() and not sensitive:
        return words["why_offering_cancelled_detail"].format(detail=detail.strip())
    return words.get(f"why_{reason}", words["why_unknown"])
