"""The interface in English, Russian, Armenian and Azerbaijani: the language
choice and the translator over the catalog (`web.catalog`).

The language comes from ``?hl=`` (the switch on the page keeps it in every
link), else from the browser's ``Accept-Language``, else English.  Plural
forms, dates, numbers and language names come from CLDR through Babel, so a
language is added by giving its texts in the catalog, nothing else.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_decimal
from flask import Request
from markupsafe import Markup

from .catalog import CATALOG, LANGUAGES

DEFAULT = "en"
# The CLDR locale behind each interface language: English as written in Europe
# (day before month, 24-hour clock), like the other editions.
LOCALES = {"en": "en_GB", "ru": "ru", "hy": "hy", "az": "az"}


def choose(request: Request) -> str:
    """The interface language for ``request``."""
    asked = request.args.get("hl", "")
    if asked in LANGUAGES:
        return asked
    for tag, quality in request.accept_languages:  # most wanted first
        primary = tag.replace("_", "-").split("-")[0].lower()  # "az-Latn-AZ": "az"
        if quality > 0 and primary in LANGUAGES:
            return primary
    return DEFAULT


@lru_cache(maxsize=None)
def locale(lang: str) -> Locale:
    return Locale.parse(LOCALES[lang])


class Translator:
    """``t("key", n=3)``: the text of ``key`` in one language, fields filled in.

    A plural entry is a dict from CLDR plural category ("one", "few", ...) to
    text; ``n`` picks the form and is shown as a number of that language."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self.locale = locale(self.lang)
        self.texts = CATALOG[self.lang]

    def __call__(self, key: str, n: int | None = None, **fields) -> str:
        text = self.texts[key]
        if isinstance(text, dict):
            if n is None:
                raise TypeError(f"{key!r} has plural forms: give n")
            text = text.get(self.locale.plural_form(n)) or text["other"]
            fields["n"] = self.number(n)
        return text.format(**fields) if fields else text

    def markup(self, key: str, **fields) -> Markup:
        """A sentence with HTML in its fields (a link, a <strong>): the catalog's
        text is trusted, each field is escaped unless it is already `Markup`."""
        return Markup(self.texts[key]).format(**fields)

    def number(self, n: int | float) -> str:
        return format_decimal(n, locale=self.locale)

    def language_name(self, code: str) -> str:
        """``code``'s language named in this language, as a label on its own:
        "Armenian", "Армянский", "Հայերեն", "Erməni dili"."""
        name = self.locale.languages.get(code)
        if not name:
            return code
        return _capitalized(self("language_name", name=name), self.lang)

    def date(self, dt: datetime) -> str:
        """CLDR's long date, then the time as the article gives it (its own zone):
        "1 October 2024, 12:14", "1 октября 2024 г., 12:14",
        "2024 թ. հոկտեմբերի 1, 12:14", "1 oktyabr 2024 12:14"."""
        day = format_date(dt.date(), "long", locale=self.locale)
        if (dt.hour, dt.minute) == (0, 0):
            return day
        clock = format_time(dt.time().replace(tzinfo=None), "short", locale=self.locale)
        return self.locale.datetime_formats["medium"].format(clock, day)


def _capitalized(text: str, lang: str) -> str:
    first = text[:1]
    if lang == "az" and first == "i":  # dotted capital İ, as in Turkish
        return "İ" + text[1:]
    return first.upper() + text[1:]


def searchbox_texts() -> dict[str, dict]:
    """The embeddable box's texts in every language, as `static/searchbox.js` holds them."""
    keys = {"placeholder": "box_placeholder", "label": "search", "suggestions": "suggestions",
            "results": "results", "none": "box_none", "corrected": "corrected",
            "failed": "box_failed"}
    texts = {}
    for lang in LANGUAGES:
        t = Translator(lang)
        texts[lang] = {name: CATALOG[lang][key] for name, key in keys.items()}
        texts[lang]["languages"] = {code: t.language_name(code) for code in LANGUAGES}
    return texts
