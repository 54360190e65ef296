"""The language of a query, among the languages of the index.

Queries are short, so a free guess among ~97 languages is unreliable
("Putin Trump" is not Finnish).  The script decides first (Armenian, Georgian,
Greek, Hebrew, Arabic, CJK, Thai are unambiguous), then py3langid picks among
the index's own languages written in that script; a script none of them uses
gives the index's main language.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Iterable

from search.text.analysis import fold

# The script of each language the analysis knows (others count as Latin).
_SCRIPT_OF = {
    "ru": "CYRILLIC", "uk": "CYRILLIC", "be": "CYRILLIC", "bg": "CYRILLIC", "kk": "CYRILLIC",
    "mk": "CYRILLIC", "sr": "CYRILLIC", "ky": "CYRILLIC", "mn": "CYRILLIC",
    "hy": "ARMENIAN", "ka": "GEORGIAN", "el": "GREEK", "he": "HEBREW", "ar": "ARABIC",
    "fa": "ARABIC", "ur": "ARABIC", "zh": "CJK", "ja": "CJK", "ko": "HANGUL", "th": "THAI",
}
_CJK = ("CJK", "HIRAGANA", "KATAKANA")
# py3langid probability needed to prefer another language to the main one: at
# 0.8 none of the 1,014 English news queries (eval/news) is read as
# Azerbaijani, and "bakida metro stansiyasi" (0.87) is.
SURE = 0.8


def script(text: str) -> str:
    """The script most letters of ``text`` are written in ("LATIN", "CYRILLIC", ...)."""
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "").split(" ")[0]
            name = "CJK" if name in _CJK else name
            counts[name] = counts.get(name, 0) + 1
    return max(counts, key=counts.get) if counts else ""


def script_of(lang: str) -> str:
    return _SCRIPT_OF.get(lang, "LATIN")


def query_language(text: str, present: Iterable[str], default: str) -> str:
    """The language of ``text`` among ``present`` (the index's languages)."""
    written = script(text)
    if not written:
        return default
    candidates = sorted({lang for lang in present if lang and script_of(lang) == written})
    if not candidates:
        # A script the index does not hold: its main language (ru for Cyrillic).
        own = [lang for lang, s in _SCRIPT_OF.items() if s == written]
        return own[0] if own else default
    if len(candidates) == 1:
        return candidates[0]
    lang, confidence = _identifier(tuple(candidates)).classify(fold(text))
    # Short queries are names and a few words: keep to the main language
    # unless another one is clear.
    return lang if default not in candidates or confidence >= SURE else default


@lru_cache(maxsize=16)
def _identifier(langs: tuple[str, ...]):
    """py3langid restricted to ``langs`` (those it knows)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    known = [lang for lang in langs if lang in identifier.nb_classes]
    identifier.set_languages(known or None)
    return identifier
