"""Query syntax: phrases, exclusions, title:, AND/OR, and malformed input."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.text.syntax import plain_text

from .conftest import SEED_ID, WIRE_COPY_ID

MODES = ["keyword", "semantic", "hybrid"]


def ids(response):
    return {h.article.id for h in response.hits} | {a.id for h in response.hits for a in h.similar}


def test_quoted_phrase_needs_the_words_together(newsroom):
    together = newsroom.search('"green light"', mode="keyword")
    assert ids(together) == {SEED_ID, WIRE_COPY_ID}
    apart = newsroom.search('"light green"', mode="keyword")
    assert apart.hits == []


@pytest.mark.parametrize("query", ["israel -hezbollah", "israel NOT hezbollah"])
@pytest.mark.parametrize("mode", MODES)
def test_excluded_word_leaves_out_its_articles_in_every_mode(newsroom, mode, query):
    found = ids(newsroom.search(query, mode=mode, size=50))
    assert SEED_ID not in found and WIRE_COPY_ID not in found
    if mode != "keyword":
        assert found  # the rest of the query still finds articles by meaning


def test_not_alone_matches_nothing_rather_than_everything(newsroom):
    assert newsroom.search("NOT hezbollah", mode="keyword").hits == []


def test_title_field_searches_headlines_only(newsroom):
    body_only = newsroom.search("Hochstein", mode="keyword")
    assert body_only.hits
    assert newsroom.search("title:Hochstein", mode="keyword").hits == []
    assert ids(newsroom.search("title:Politico", mode="keyword")) >= {SEED_ID}


def test_and_requires_both_or_accepts_either(newsroom):
    both = ids(newsroom.search("Hezbollah AND Pelosi", mode="keyword"))
    either = ids(newsroom.search("Hezbollah OR Pelosi", mode="keyword"))
    assert both == set()
    assert SEED_ID in either and any(i.startswith("en-") for i in either)


@pytest.mark.parametrize("query", ['"unclosed phrase', "title:", "AND OR NOT", "((", "-", "a:b:c",
                                   'israel AND (', '"" -""', "title:(gaza", "NOT NOT NOT"])
@pytest.mark.parametrize("mode", MODES)
def test_malformed_syntax_never_errors(newsroom, query, mode):
    newsroom.search(query, mode=mode, facets=True)


def test_semantic_side_embeds_plain_words():
    assert plain_text('"green light" title:israel -iran OR NOT syria') == "green light israel"
    assert plain_text("-only -exclusions") == ""
    assert plain_text('(gaza OR lebanon) AND "cease fire"') == "gaza lebanon cease fire"


def test_syntax_does_not_change_meaning_search(newsroom):
    plain = newsroom.search("green light Israel", mode="semantic")
    marked = newsroom.search('"green light" title:Israel', mode="semantic")
    assert [h.article.id for h in plain.hits[:3]] == [h.article.id for h in marked.hits[:3]]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("aBzXéЁжß19_İ-.,?%/*&|!"), min_size=1, max_size=7)
                .map(lambda w: w + "?" if len(w) % 3 == 0 else w)
                | st.sampled_from(["the", "and", "OR", "AND", "not", "ANDNOT", "Путин", "U.S.",
                                   "it's", "-x", "+y", "title:z", "(a", "b)", '"c']),
                max_size=12))
def test_plain_words_skip_the_parser_with_the_same_query(newsroom, words):
    text = " ".join(words)
    keyword = newsroom.keyword.parser
    plain = keyword._plain(text)
    if plain is not None:
        assert plain == keyword._parser.parse(text)
    assert keyword.parse(text) is not None


# Headlines as wires and readers write them: a spaced hyphen or dash is punctuation.
@pytest.mark.parametrize("dash", [" - ", " – ", " — ", " -- "])
@pytest.mark.parametrize("mode", MODES)
def test_spaced_hyphen_in_a_headline_is_punctuation_not_an_exclusion(newsroom, mode, dash):
    found = newsroom.search(f"Asian earthquake{dash}toll nears 60,000", mode=mode)
    assert found.hits and found.hits[0].article.id == "en-cdc7e526f9e6"
    tatars = newsroom.search(f"Russian Tatars{dash}Latin alphabet not allowed", mode=mode)
    assert tatars.hits[0].article.id == "en-d4681b26fe89"


def test_hyphen_attached_to_a_word_still_excludes_it(newsroom):
    assert "en-cdc7e526f9e6" not in ids(newsroom.search("Asian earthquake -toll", mode="keyword"))
    assert "en-cdc7e526f9e6" in ids(newsroom.search("Asian earthquake - toll", mode="keyword"))


def test_dashes_are_not_embedded_as_words():
    assert plain_text("Japan - Trade Surplus Widens") == "Japan Trade Surplus Widens"
    assert plain_text("Japan — trade – surplus -- widens -exports") == "Japan trade surplus widens"
