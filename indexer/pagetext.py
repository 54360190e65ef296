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
_SENTENCE_END = re.compile(r"[.!?…:;,。！？][\"'”’»)\]]*$")
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
    r"^(?:related(?: news| stories| articles| coverage| content| topics)?|"
    r"more (?:news|stories|on this story|from .{2,30}|in .{2,30})|read next|recommended(?: for you)?|"
    r"most (?:read|popular|viewed|shared)|popular(?: now| news)?|trending(?: now| stories)?|"
    r"latest(?: news| stories)?|top stories|editor'?s picks|you (?:may|might) also like|"
    r"(?:\d+\s+)?comments?(?: \(\d+\))?|leave a (?:reply|comment)|join the (?:conversation|discussion)|"
    r"other news|news feed|the most important .{2,30} news|"
    r"другие новости|(?:ещё|еще) новости|(?:новости|материалы|статьи) по теме|популярное|"
    r"самое (?:читаемое|популярное|интересное)|последние новости|лента новостей|комментарии|рекомендуем|"
    r"digər xəbərlər|oxşar xəbərlər|mövzuya aid|ən çox oxunan(?:lar)?|son xəbərlər|xəbər lenti|şərhlər)"
    r"\s*[:.!]?$",
    re.IGNORECASE,
)
# A label introducing one link inside the body ("Read also", "Читайте также").
_INLINE_PROMO = re.compile(
    r"^(?:read (?:more|also)|see also|also read|читайте (?:также|еще|ещё)|смотрите также|по теме|"
    r"bu mövzuda|həmçinin oxuyun)\s*[:.!]?$",
    re.IGNORECASE,
)
# Legal, consent and promo text: chrome whatever the length of its line.
_BOILERPLATE = re.compile(
    r"©|\(c\) \d{4}|\bcopyright \d{4}|all rights reserved|все права защищены|bütün hüquqlar|"
    r"use of (?:the )?materials|materiallardan istifadə|при (?:полном или частичном )?использовании материалов|"
    r"(?:we|this (?:web)?site|our (?:web)?site) uses? cookies|we and our partners use|by continuing to (?:browse|use)|"
    r"(?:accept|manage) (?:all )?cookies|cookie (?:policy|settings)|your email address will not be published|"
    r"required fields are marked|support(?:ing)? (?:our|independent|quality) journalism|to your inbox|"
    r"sign up (?:for|to) (?:our|the)\b.{0,40}newsletter|this (?:article|story) (?:appears|appeared) in|"
    r"print edition|сетевое издание|свидетельств\w* о регистрации|главный редактор|телефон редакции|"
    r"подписывайтесь на|подпишитесь на|subscribe to our|follow us on|abunə olun|"
    r"support (?:our|my) work|views expressed\b.{0,60}\b(?:are|do not)\b|do not necessarily reflect|"
    r"поддержите нас|благодаря вашей поддержке|"

    r"^privacy (?:notice|policy)\b|\bour (?:\w+ ){0,2}(?:email|newsletter)s?\b|got a (?:story|news tip)\?|нашли ошибку\?|ctrl\s*\+\s*enter|"
    r"^[A-ZА-ЯƏ][\w'’-]+(?: [A-ZА-ЯƏ][\w'’-]+){1,3} (?:is|was) an? (?:[\w-]+ ){0,3}"
    r"(?:writer|reporter|correspondent|editor|journalist|columnist)\b",
    re.IGNORECASE,
)
# Photo credits and captions: chrome inside the body, whatever the length.
_CREDIT = re.compile(
    r"\b(?:ap|afp|epa|reuters|getty|sputnik|tass) (?:photo|images)\b|getty images|shutterstock|"
    r"image (?:caption|copyright)|\((?:photo|фото|foto)\b", re.IGNORECASE)
# Widgets, labels and promo links: chrome when the line is short.
_WIDGET = re.compile(
    r"\bcookies?\b|privacy (?:policy|notice)|terms (?:of|and) (?:use|service|conditions)|"
    r"политик\w* конфиденциальности|subscri(?:be|ption)|newsletter|sign up|sign in|log ?in\b|"
    r"register\b|подпис\w+|abunə|follow us|join us on|bizi izləyin|"
    r"share (?:this|on|it|via)|liked the story|share-line|copy (?:the )?link|link copied|copied to clipboard|"
    r"скопировать ссылку|ссылка скопирована|linki kopyala|link kopyalandı|keçid kopyalandı|"
    r"^(?:share|print|email|e-mail|tweet|whatsapp|telegram|facebook|twitter|x|vk|ok|linkedin|reddit|"
    r"pinterest|instagram|youtube|tiktok|flipboard|messenger|поделиться|печать|paylaş|çap et|save|"
    r"comment|reply|like|report|войти|вход|giriş|daxil ol|(?:show |open )?search|en|ru|az|arm|tr|ua|de|fr|a\+|a-|а\+|а-|menu|меню|search|поиск|axtar|close|закрыть|bağla|"
    r"loading\.*|more|ещё|daha çox|back to top|наверх|yuxarı|advertisement|реклама|reklam|sponsored|"
    r"paid content|partner content|donate|пожертвовать|replay|just watched|now playing|more videos.*|watch(?: now| video)?)$|"
    r"^(?:advertisement|реклама|reklam)\b|scroll to continue|story continues below|continue reading|"
    r"^(?:photo|фото|foto|image|video|видео|source|источник|mənbə)\s*:|image (?:caption|copyright)|"
    r"reuters/|"
    r"^(?:read (?:more|also|next)|also read|related|see also|читайте (?:также|еще|ещё)|по теме|"
    r"həmçinin oxuyun|oxu)\s*[:|»>-]",
    re.IGNORECASE,
)
WIDGET_MAX_WORDS = 12
ISOLATED_MAX_WORDS = 40  # prose lines shorter than this count less when alone among chrome
ISOLATED_WEIGHT = 0.4
CARD_SPAN = 4  # lines within which lone paragraphs make a series of teaser cards
_REPEAT_PENALTY = 3
_SECTION_PENALTY = 40
_BOILERPLATE_PENALTY = 15
_WIDGET_PENALTY = 6
SECONDARY_AFTER_WORDS = 15
HEAD_LINES = 4
PULL_QUOTE_MAX_WORDS = 60
PULL_QUOTE_CHECK_LINES = 400  # longer bodies skip the (quadratic) pull-quote check  # lines at the top of the body run checked for a headline's date or byline
SECONDARY_WEIGHT = 0.5  # prose after a "Comments"/"Related" heading that follows the first paragraphs


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
    kinds = [(i, text, *_kind(text)) for i, text in enumerate(lines) if text]
    isolated = {pos for pos, k in enumerate(kinds)
                if k[3] == "prose" and k[2] < ISOLATED_MAX_WORDS and _isolated(kinds, pos)}
    scored = []
    prose_words, secondary = 0, False
    for pos, (i, text, words, kind, score) in enumerate(kinds):
        if counts[text.casefold()] > 1 and kind != "prose":
            score -= _REPEAT_PENALTY
        elif pos in isolated:
            # a blurb between headlines, or (with more like it close by) a teaser card
            near = isolated & set(range(pos - CARD_SPAN, pos + CARD_SPAN + 1)) - {pos}
            score = 0.0 if near else score * ISOLATED_WEIGHT
        if kind == "section" and prose_words >= SECONDARY_AFTER_WORDS:
            secondary = True  # comments, related stories: what follows is not the article
        if kind == "prose":
            prose_words += words
            if secondary:
                score *= SECONDARY_WEIGHT
        scored.append(Line(i, text, words, kind, score))
    return scored


def _isolated(kinds: list[tuple], pos: int) -> bool:
    """No text on either side and a headline, date or label after it (a teaser card, a bio)."""
    around = [kinds[p][3] for p in (pos - 1, pos + 1) if 0 <= p < len(kinds)]
    after = kinds[pos + 1][3] if pos + 1 < len(kinds) else ""
    return not {"prose", "short"} & set(around) and after in ("heading", "date", "byline", "menu")


def _kind(text: str) -> tuple[int, str, float]:
    words = len(_WORD.findall(text))
    if words <= 8 and _SECTION.match(text):
        return words, "section", -_SECTION_PENALTY
    if words <= 4 and _INLINE_PROMO.match(text):
        return words, "boilerplate", -_WIDGET_PENALTY
    if _BOILERPLATE.search(text):
        return words, "boilerplate", -max(_BOILERPLATE_PENALTY, words)
    if (words <= WIDGET_MAX_WORDS and _WIDGET.search(text)) or _CREDIT.search(text):
        return words, "boilerplate", -_WIDGET_PENALTY
    if words <= 12 and BYLINE.match(text):
        return words, "byline", -5
    if words <= 10 and _DATEISH.search(text):
        return words, "date", -5
    ends_sentence = _SENTENCE_END.search(text) is not None
    if words >= 20 or (ends_sentence and words >= 6):
        return words, "prose", words
    if ends_sentence:
        return words, "short", 1
    if words >= 4:
        return words, "heading", -3
    return words, "menu", -2


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
    if best_span is None:
        return None
    first, last = best_span
    # A question headline or a standfirst can score as prose: when a date or
    # byline follows it at the top of the run, the body starts after them.
    for pos in range(first, min(first + HEAD_LINES, last)):
        if scored[pos].kind in ("date", "byline") and all(
                l.words < 25 for l in scored[first:pos]):
            first = pos + 1
    return first, last


TEXT = {"prose", "short"}
CHROME = {"section", "boilerplate", "date", "byline"}


def body_lines(scored: list[Line], span: tuple[int, int]) -> list[Line]:
    """The lines of the run that are article text.

    Chrome inside it is dropped, and so are the headline-like lines right
    after a chrome line (the links of a "read also" box, a photo's caption
    after its credit) up to the next paragraph."""
    first, last = span
    kept, after_chrome = [], False
    for line in scored[first : last + 1]:
        if line.kind in CHROME:
            after_chrome = True
        elif line.kind in TEXT:
            after_chrome = False
            kept.append(line)
        elif not after_chrome:
            kept.append(line)
    # A pull quote repeats (part of) a paragraph: keep the paragraph only, once.
    texts: set[str] = set()
    unique = [line for line in kept if line.text not in texts and not texts.add(line.text)]
    if len(unique) > PULL_QUOTE_CHECK_LINES:
        return unique
    return [line for line in unique if line.words > PULL_QUOTE_MAX_WORDS or not any(
        line.text in other.text and len(line.text) < len(other.text) for other in unique)]


def trimmed(paragraphs: list[str]) -> list[str]:
    """An extracted body without the chrome an HTML extractor let through: lines
    before the first and after the last paragraph, and chrome lines between."""
    scored = classify(paragraphs)
    text = [pos for pos, line in enumerate(scored) if line.kind in TEXT]
    if not text:
        return paragraphs
    return [line.text for line in body_lines(scored, (text[0], text[-1]))]
