"""The portal's languages: which one a visitor reads, and its gettext catalogue."""

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT = "en"
COOKIE = "cohort_lang"
LOCALE_DIR = Path(__file__).parent / "locale"
# A visitor's Accept-Language may be long; only the first few ranges decide.
MAX_RANGES = 20


def catalogue_path(language: str) -> Path:
    """Where a language's .po catalogue lives (English is the msgids themselves)."""
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The gettext catalogue of a language, compiled from its .po file on first use."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    # The .po is the only file kept: it is compiled in memory, so no .mo can go stale.
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def _ranges(header: str) -> list[tuple[float, str]]:
    """The language ranges of an Accept-Language header with their weights."""
    ranges = []
    for position, part in enumerate(header.split(",")[:MAX_RANGES]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag and weight > 0:
            # Equal weights keep the header's order.
            ranges.append((weight - position * 1e-6, tag.strip().lower()))
    return sorted(ranges, reverse=True)


def from_accept_language(header: str) -> str | None:
    """The first language the portal has among those an Accept-Language header asks for."""
    for _, tag in _ranges(header):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
    return None


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The visitor's language: the one they chose (cookie), else their browser's, else English."""
    if cookie in LANGUAGES:
        return cookie
    return from_accept_language(accept_language or "") or DEFAULT
