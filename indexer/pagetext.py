"""Finding the article body in a page-text dump (one block of the page per line).

Each line is scored for how much it looks like article prose: sentences of
several words ending in sentence punctuation score their word count; site
chrome scores below zero: menu items and promo headlines (short, no sentence
punctuation), dates and bylines, widget and legal text ("share", "copy link",
"©", cookie and newsletter notices, in several languages), lines repeated on
the page, and, most of all, headings that open a section of other content
("Related", "More news", "Comments", "Читайте также", "Digər xəbərlər").  The
body is the run of lines with the highest total score (a maximum-sum
subarray), so prose broken by an image caption or an ad slot stays whole while
menus, promos and footers around it fall outside.  Chrome lines inside the run
(ad labels, "read also" links, photo credits) are dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Sentence-final punctuation, possibly followed by closing quotes/brackets.
_SENTENCE_END = re.compile(r"[.!?…:;,][\"'”’»)\]]*$")
_WORD = re.compile(r"\w+")
_DATEISH = re.compile(
    r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|"
    r"\b\d{1,2}\s+(?:янв|фев|мар|апр|ма[яй]|июн|июл|авг|сен|окт|ноя|дек)|"
    r"\b\d{1,2}\s+(?:yanvar|fevral|mart|aprel|may|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr)|"
    r"\b(?:\d+\s+)?(?:hours?|minutes?|days?|час\w*|минут\w*|saat|dəqiqə)\s+(?:ago|назад|əvvəl)\b",
    re.IGNORECASE,
)
BYLINE = re.compile(
    r"^(?:by|written by|words by|text|author|автор|текст|müəllif|yazar)\b[:\s]\s*(.{3,80})$",
    re.IGNORECASE,
)
# Headings that open a section of other content: related links, promos, comments.
_SECTION = re.compile(
    r"^(?:related|related (?:news|stories|articles|coverage|content|topics)|more (?:news|stories|on this story|from .{2,30}|in .{2,30})|"
    r"read (?:more|next|also)|see also|also read|recommended(?: for you)?|most (?:read|popular|viewed|shared)|"
    r"popular(?: now| news)?|trending(?: now)?|latest(?: news)?|top stories|editor'?s picks|you (?:may|might) also like|"
    r"(?:\d+\s+)?comments?|leave a (?:reply|comment)|join the (?:conversation|discussion)|other news|news feed|"
    r"the most important .{2,30} news|"
    r"читайте (?:также|еще|ещё)|смотрите также|другие новости|(?:ещё|еще) новости|новости по теме|по теме|"
    r"популярное|самое (?:читаемое|популярное|интересное)|последние новости|лента новостей|комментарии|"
    r"рекомендуем|digər xəbərlər|oxşar xəbərlər|mövzuya aid|ən çox oxunan(?:lar)?|son xəbərlər|xəbər lenti|"
    r"şərhlər|bu mövzuda|həmçinin oxuyun)\s*[:.!]?$",
    re.IGNORECASE,
)
# Widget, legal and promo text, anywhere in a line.
_BOILERPLATE = re.compile(
    r"©|\bcopyright\b|all rights reserved|все права защищены|bütün hüquqlar|"
    r"use of (?:the )?materials|hyperlink|гиперссылк|materiallardan istifadə|при использовании материалов|"
    r"\bcookies?\b|privacy policy|terms of (?:use|service)|политик\w* конфиденциальности|"
    r"subscribe|newsletter|sign up|sign in|log ?in\b|register\b|подпис\w+ на|подписаться|abunə ol|"
    r"follow us|join us on|подписывайтесь|bizi izləyin|"
    r"share (?:this|on|it)|liked the story|share-line|copy link|link copied|copied to clipboard|"
    r"скопировать ссылку|ссылка скопирована|linki kopyala|link kopyalandı|keçid kopyalandı|"
    r"^(?:share|print|email|e-mail|tweet|whatsapp|telegram|facebook|twitter|x|vk|ok|linkedin|reddit|"
    r"pinterest|instagram|youtube|tiktok|поделиться|печать|paylaş|çap et|save|comment|reply|like|"
    r"a\+|a-|а\+|а-|menu|меню|search|поиск|axtar|close|закрыть|bağla|loading\.*|"
    r"advertisement|реклама|reklam|sponsored|scroll to continue.*)$|"
    r"story continues below|continue reading|^(?:photo|фото|foto|image|video|видео|source|источник|mənbə)\s*:|"
    r"getty images|\bap photo\b|shutterstock|\(photo\b|"
    r"^(?:read (?:more|also)|also read|related|see also|читайте (?:также|еще|ещё)|по теме|"
    r"həmçinin oxuyun|oxu)\s*[:|»>-]",
    re.IGNORECASE,
)
_REPEAT_PENALTY = 3
_SECTION_PENALTY = 40
_BOILERPLATE_PENALTY = 15


@dataclass(frozen=True)
class Line:
    index: int
    text: str
    words: int
    kind: str  # prose, short, heading, menu, date, byline, boilerplate, section
    score: float


def classify(lines: list[str]) -> list[Line]:
    """Scored lines of the page (blank lines left out)."""
    counts = Counter(line.casefold() for line in lines if line)
    scored = []
    for i, text in enumerate(lines):
        if text:
            kind, score = _kind(text)
            if counts[text.casefold()] > 1 and kind != "prose":
                score -= _REPEAT_PENALTY
            scored.append(Line(i, text, len(_WORD.findall(text)), kind, score))
    return scored


def _kind(text: str) -> tuple[str, float]:
    words = len(_WORD.findall(text))
    if words <= 8 and _SECTION.match(text):
        return "section", -_SECTION_PENALTY
    if _BOILERPLATE.search(text):
        return "boilerplate", -max(_BOILERPLATE_PENALTY, words)
    if words <= 12 and BYLINE.match(text):
        return "byline", -5
    if words <= 10 and _DATEISH.search(text):
        return "date", -5
    ends_sentence = _SENTENCE_END.search(text) is not None
    if words >= 20 or (ends_sentence and words >= 6):
        return "prose", words
    if ends_sentence:
        return "short", 1
    if words >= 4:
        return "heading", -3
    return "menu", -2


def body_span(scored: list[Line]) -> tuple[int, int] | None:
    """First and last position (in ``scored``) of the highest-scoring run, or None."""
    best, best_span = 0.0, None
    total, start = 0.0, 0
    for pos, line in enumerate(scored):
        if total <= 0:
            total, start = 0.0, pos
        total += line.score
        if total > best:
            best, best_span = total, (start, pos)
    return best_span


KEEP = {"prose", "short", "heading", "menu"}


def body_lines(scored: list[Line], span: tuple[int, int]) -> list[Line]:
    """The lines of the run that are article text (chrome inside it dropped)."""
    first, last = span
    return [line for line in scored[first : last + 1] if line.kind in KEEP]
