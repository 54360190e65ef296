"""Snippets are escaped HTML with only our <mark> tags."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from search.features.snippets import matches, snippet, term_matches
from search.text.analysis import TOKEN, analyse, news_analyzer, term, terms

from .conftest import SAMPLES, WIKINEWS_RU


def test_query_words_are_marked_in_any_form():
    html = snippet("Troops were deployed; the deployment continues.", set(terms("deploy troop")), 200)
    assert html == ("<mark>Troops</mark> were <mark>deployed</mark>; the <mark>deployment</mark>"
                    " continues.")


def test_hostile_text_is_escaped():
    html = snippet('<script>alert("x")</script> zebra & co', set(terms("zebra")), 200)
    assert "<script>" not in html
    assert html == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>zebra</mark> &amp; co"


def test_long_text_is_cut_around_the_matches():
    text = "Filler sentence number one. " * 30 + "The zebra escaped from the zoo. " + "More filler. " * 30
    html = snippet(text, set(terms("zebra zoo")), 120)
    assert "<mark>zebra</mark>" in html and "<mark>zoo</mark>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(html.replace("<mark>", "").replace("</mark>", "")) <= 124


def test_without_matches_the_start_is_shown():
    html = snippet("Alpha beta gamma. " * 40, set(), 60)
    assert html.startswith("Alpha beta gamma") and html.endswith("…")


def _whoosh(text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.startchar, t.endchar) for t in news_analyzer()(text, chars=True)]


def test_fast_analysis_equals_the_index_analyzer_on_real_articles():
    text = SAMPLES.read_text(encoding="utf-8")[:200_000]
    assert list(analyse(text)) == _whoosh(text)
    assert list(analyse("Путин провёл U.S. talks; e.g. COVID-19, 3.5% и т.д.")) == \
        _whoosh("Путин провёл U.S. talks; e.g. COVID-19, 3.5% и т.д.")


def test_every_word_of_real_articles_is_found_by_its_term():
    """Words are looked for by the first letters of their term (`snippets._heads`)."""
    text = " ".join([SAMPLES.read_text(encoding="utf-8"),
                     WIKINEWS_RU.read_text(encoding="utf-8")[:1_000_000], *TRICKY])
    words = set(TOKEN.findall(text))
    missed = [w for w in words if (t := term(w)) and matches(w, {t}) != [(0, len(w))]]
    assert len(words) > 40_000 and missed == []


def test_words_with_letters_beyond_ascii_are_found():
    text = "ΟΔΟΣ'Α: β-catenin in Café Zürich"  # lower-cased alone, "Σ" is "ς"
    found = matches(text, set(terms("οδος catenin café zürich")))
    assert found == [(0, 4), (10, 17), (21, 25), (26, 32)]


TRICKY = (
    "relational ability happy possibility sensibility fluency hoping generating Ratings skies "
    "lying dying tying hopefulness electricity gently early cried agreed succeeded news idly "
    "Пётр провёл серьёзные переговоры в посёлке Tвиттере аварии_NOTOC__ YоuТubе ёмкость "
    "воюют объём подъему изъят Гоюй Йемен Юлия ёлочные Ёлкин"
).split()


# Hard and soft signs never begin a Russian word nor follow each other; the
# Russian stemmer moves them about where they do (it stems "дьъ" as "дъ").
NO_SUCH_SIGNS = re.compile(r"(?<!\w)[ьъЬЪ]+|(?<=[ьъЬЪ])[ьъЬЪ]+")


@settings(max_examples=600, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("aBcXyzİßЁёе_.,- 19\n\tΣ'\"sdﬂ\u00ad\u055b\u212a"
                                                  "βéςıΑ\u0301\u0307\u212bдъюьийо"), max_size=8)
                | st.sampled_from(["dying", "Lying", "tying", "Ёлка", "ёж", "еж", "skis", "skies",
                                   "news", "aing", "ель", "cries", "Zёлка", "ёz", "by", "idly",
                                   "воюют", "объём", "еёd", "Гоюй", "аю"]),
                max_size=8)
       .map(" ".join).map(lambda text: NO_SUCH_SIGNS.sub("", text)),
       st.sets(st.sampled_from(["ab", "b", "c", "x", "yz", "ß", "ё", "19", "s", "i̇", "die", "е", "еж",
                                "zе", "a", "ел", "fl", "k", "β", "é", "σ", "ς", "αβ", "еед", "обь",
                                "вои^", "аи^"]), max_size=4))
def test_fast_analysis_equals_the_index_analyzer_on_any_text(text, extra):
    _same_as_the_analyzer(text, extra)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("aBcXyzDi_.,- 19\n\t'\"sd’—«"), max_size=8)
                | st.sampled_from(["dying", "Lying", "tying", "skis", "skies", "news", "aing",
                                   "cries", "by", "idly", "U.S.", "e.g.", "3.5"]),
                max_size=10)
       .map(" ".join),
       st.sets(st.sampled_from(["ab", "b", "c", "x", "yz", "19", "s", "die", "a", "u.s", "3.5",
                                "di", "i"]), max_size=4))
def test_fast_analysis_equals_the_index_analyzer_on_ascii_words(text, extra):
    _same_as_the_analyzer(text, extra)  # the path that looks only where a term's head occurs


def _same_as_the_analyzer(text: str, extra: set[str]) -> None:
    analysed = _whoosh(text)
    assert list(analyse(text)) == analysed
    wanted = {t for t, _, _ in analysed[::2]} | extra
    found = [(s, e) for t, s, e in analysed if t in wanted]
    assert matches(text, wanted) == found
    assert term_matches(text, wanted) == [(s, e, t) for t, s, e in analysed if t in wanted]
