"""Words of certificates, transcripts and the certificate mail, in English and Spanish."""

from datetime import date

from babel.dates import format_date

from services.notifier.rendering.words import language

# Shown instead of the name of an educator who was erased: the certificate itself stays true.
ERASED_NAME = {"en": "(name removed at the holder's request)", "es": "(nombre retirado a petición)"}

WORDS = {
    "en": {
        "title": "Certificate of completion",
        "certifies": "This certifies that",
        "completed": "completed the professional development program",
        "training": "Training",
        "hours": "PD hours",
        "completed_on": "Completed on",
        "meetings": "Meetings",
        "affiliate": "Offered by",
        "facilitators": "Facilitators",
        "verify": "Verify this certificate at",
        "qr_label": "QR code of the verification address",
        "revoked": "This certificate was revoked.",
        "transcript": "PD transcript",
        "transcript_of": "Professional development credit of {name}",
        "status": "Status",
        "status_valid": "valid",
        "status_revoked": "revoked",
        "total": "Total valid PD hours",
        "none": "No certificates yet.",
        "certificate": "Certificate",
        "subject": "Your certificate: {program}",
        "subject_neutral": "Your certificate",
        "hello": "Hello {name},",
        "lead": "Congratulations on completing {topic}. Your certificate is attached.",
        "topic_neutral": "your professional development training",
        "see_all": "All your PD credit and certificates",
        "check": "Anyone you show it to can check it here",
        "signature": "Cohort",
    },
    "es": {
        "title": "Certificado de finalización",
        "certifies": "Se certifica que",
        "completed": "completó el programa de desarrollo profesional",
        "training": "Capacitación",
        "hours": "Horas de desarrollo profesional",
        "completed_on": "Finalizado el",
        "meetings": "Sesiones",
        "affiliate": "Ofrecido por",
        "facilitators": "Facilitadores",
        "verify": "Verifica este certificado en",
        "qr_label": "Código QR de la dirección de verificación",
        "revoked": "Este certificado fue revocado.",
        "transcript": "Historial de desarrollo profesional",
        "transcript_of": "Créditos de desarrollo profesional de {name}",
        "status": "Estado",
        "status_valid": "válido",
        "status_revoked": "revocado",
        "total": "Total de horas válidas",
        "none": "Todavía no hay certificados.",
        "certificate": "Certificado",
        "subject": "Tu certificado: {program}",
        "subject_neutral": "Tu certificado",
        "hello": "Hola, {name}:",
        "lead": "Felicitaciones por completar {topic}. Te adjuntamos tu certificado.",
        "topic_neutral": "tu capacitación de desarrollo profesional",
        "see_all": "Todos tus créditos y certificados",
        "check": "Quien lo reciba puede comprobarlo aquí",
        "signature": "Cohort",
    },
}


def words_for(locale: str) -> dict[str, str]:
    """The certificate words of a language (English when unknown)."""
    return WORDS[language(locale)]


def long_date(value: date, locale: str) -> str:
    """A date written out, e.g. "November 3, 2026" or "3 de noviembre de 2026"."""
    return format_date(value, "long", locale=language(locale))


def holder_name(name: str, locale: str) -> str:
    """The educator's name, or the placeholder once they were erased."""
    return name or ERASED_NAME[language(locale)]
