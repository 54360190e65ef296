"""The interface in English and Russian: one small catalog and the language choice.

The language comes from ``?hl=`` (the switch on the page keeps it in every
link), else from the browser's ``Accept-Language``, else English.
"""

from __future__ import annotations

from datetime import datetime
from flask import Request

LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT = "en"

# key: (English, Russian).  Plural entries hold forms separated by "|":
# English "one|other", Russian "one|few|many".
CATALOG: dict[str, tuple[str, str]] = {
    "site": ("News search", "Поиск новостей"),
    "search_label": ("Search articles", "Поиск по статьям"),
    "placeholder": ("What are you looking for?", "Что вы ищете?"),
    "search": ("Search", "Найти"),
    "skip": ("Skip to results", "Перейти к результатам"),
    "ranking": ("Ranking", "Ранжирование"),
    "mode_hybrid": ("Best match", "Лучшее совпадение"),
    "mode_keyword": ("Exact words", "Точные слова"),
    "mode_semantic": ("By meaning", "По смыслу"),
    "sort": ("Sort", "Сортировка"),
    "sort_relevance": ("Most relevant", "По релевантности"),
    "sort_newest": ("Newest first", "Сначала новые"),
    "refine": ("Refine", "Уточнить"),
    "facet_category": ("Section", "Рубрика"),
    "facet_author": ("Author", "Автор"),
    "facet_lang": ("Language", "Язык"),
    "facet_year": ("Year", "Год"),
    "date_from": ("From", "С"),
    "date_to": ("To", "По"),
    "apply": ("Apply", "Применить"),
    "clear": ("Clear filters", "Сбросить фильтры"),
    "hint": ("Type what you are looking for, in your own words.",
             "Опишите своими словами, что вы ищете."),
    "syntax": ('Tips: "quotes" for a phrase, -word to leave a word out, title:word to search '
               "headlines, AND / OR to combine.",
               "Подсказка: «кавычки» — точная фраза, -слово — исключить слово, title:слово — "
               "искать в заголовках, AND / OR — сочетать условия."),
    "results": ("{n} result|{n} results", "{n} результат|{n} результата|{n} результатов"),
    "took": ("{ms} ms", "{ms} мс"),
    "did_you_mean": ("Did you mean", "Возможно, вы имели в виду"),
    "no_results": ("No articles match {q}.", "По запросу {q} ничего не найдено."),
    "no_results_tip": ("Try fewer or other words, another ranking, or fewer filters.",
                       "Попробуйте другие или более общие слова, другое ранжирование или "
                       "уберите фильтры."),
    "similar": ("{n} similar|{n} similar", "{n} похожая|{n} похожие|{n} похожих"),
    "untitled": ("(untitled)", "(без заголовка)"),
    "prev": ("‹ Previous", "‹ Назад"),
    "next": ("Next ›", "Вперёд ›"),
    "pages": ("Result pages", "Страницы результатов"),
    "theme": ("Night theme", "Ночная тема"),
    "interface": ("Interface language", "Язык интерфейса"),
    "related": ("Related stories", "Похожие материалы"),
    "versions": ("Other versions of this story", "Другие версии этой новости"),
    "original": ("Original", "Источник"),
    "back": ("Back to search", "Назад к поиску"),
    "suggestions": ("Suggestions", "Подсказки"),
    "views": ("views", "просмотры"),
    "lang_en": ("English", "английский"),
    "lang_ru": ("Russian", "русский"),
    "lang_az": ("Azerbaijani", "азербайджанский"),
    "lang_hy": ("Armenian", "армянский"),
    "other_edition": ("From an edition in another language",
                      "Из выпуска на другом языке"),
    "months": ("January February March April May June July August September October "
               "November December",
               "января февраля марта апреля мая июня июля августа сентября октября ноября "
               "декабря"),
}


def choose(request: Request) -> str:
    """The interface language for ``request``."""
    asked = request.args.get("hl", "")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT


class Translator:
    """``t("key", n=3)``: the text of ``key`` in one language, fields filled in."""

    def __init__(self, lang: str):
        self.lang = lang if lang in LANGUAGES else DEFAULT
        self._column = list(LANGUAGES).index(self.lang)

    def __call__(self, key: str, n: int | None = None, **fields) -> str:
        text = CATALOG[key][self._column]
        if n is not None:
            forms = text.split("|")
            text = forms[_plural_index(self.lang, n, len(forms))]
            fields["n"] = n
        return text.format(**fields) if fields else text

    def language_name(self, code: str) -> str:
        key = f"lang_{code}"
        return self(key) if key in CATALOG else code

    def date(self, dt: datetime) -> str:
        """"01 October 2024 12:14" / "1 октября 2024 12:14"."""
        month = self("months").split()[dt.month - 1]
        day = f"{dt.day:02d}" if self.lang == "en" else str(dt.day)
        clock = f" {dt:%H:%M}" if (dt.hour, dt.minute) != (0, 0) else ""
        return f"{day} {month} {dt.year}{clock}"


def _plural_index(lang: str, n: int, forms: int) -> int:
    if lang == "ru" and forms == 3:
        if n % 10 == 1 and n % 100 != 11:
            return 0
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return 1
        return 2
    return 0 if n == 1 else min(1, forms - 1)
