"""The Spanish catalogue of the portal: complete, placeholders intact, what the code marks."""

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from services.portal import languages

PORTAL = Path(languages.__file__).parent
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
KEYWORDS = {"_": None, "ngettext": (1, 2)}
METHODS = [("**.py", "python"), ("templates/**.html", "jinja2.ext:babel_extract")]


def _catalog(language: str) -> Catalog:
    with languages.catalogue_path(language).open("rb") as po:
        return read_po(po, locale=language)


def _messages(language: str) -> list[Message]:
    return [message for message in _catalog(language) if message.id]


def _ids(message: Message) -> tuple[str, ...]:
    return tuple(message.id) if isinstance(message.id, tuple | list) else (message.id,)


def _strings(message: Message) -> tuple[str, ...]:
    string = message.string
    return tuple(string) if isinstance(string, tuple | list) else (string or "",)


def marked_in_the_code() -> set[str]:
    """Every msgid the portal's Python and templates mark (the first form of a plural)."""
    found = extract_from_dir(PORTAL, method_map=METHODS, keywords=KEYWORDS)
    return {message if isinstance(message, str) else message[0] for _, _, message, _, _ in found}


@pytest.mark.parametrize("message", _messages("es"), ids=lambda m: _ids(m)[0][:40])
def test_every_message_has_a_spanish_translation_with_the_same_placeholders(
    message: Message,
) -> None:
    strings = _strings(message)
    assert all(text.strip() for text in strings), f"untranslated: {message.id!r}"
    assert len(strings) == len(_ids(message))
    wanted = set(PLACEHOLDER.findall(_ids(message)[-1]))
    for text in strings:
        assert set(PLACEHOLDER.findall(text)) == wanted, text
    assert not message.fuzzy


def test_the_catalogue_holds_what_the_code_marks_and_nothing_else() -> None:
    in_catalogue = {_ids(message)[0] for message in _messages("es")}
    marked = marked_in_the_code()
    assert marked - in_catalogue == set(), "marked but not translated (make messages)"
    assert in_catalogue - marked == set(), "translated but no longer used"


def test_the_contract_wording_is_spanish_in_spanish() -> None:
    spanish = languages.translations("es")
    assert spanish.gettext("Sign in") == "Iniciar sesión"
    assert spanish.gettext("Continue") == "Continuar"
    assert languages.translations("en").gettext("Sign in") == "Sign in"


def test_spanish_plurals_follow_the_count() -> None:
    spanish = languages.translations("es")
    one, many = "Please try again in %(num)d minute.", "Please try again in %(num)d minutes."
    assert spanish.ngettext(one, many, 1) % {"num": 1} == "Inténtalo de nuevo dentro de 1 minuto."
    assert spanish.ngettext(one, many, 5) % {"num": 5} == "Inténtalo de nuevo dentro de 5 minutos."
