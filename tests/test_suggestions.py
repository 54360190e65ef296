"""Did you mean, and autocompletion."""

import pytest

from .conftest import SEED_ID


@pytest.mark.parametrize("mode", ["keyword", "semantic", "hybrid"])
def test_misspelled_query_gets_a_correction_of_real_words(newsroom, mode):
    response = newsroom.search("hezbolah netanyahoo", mode=mode)
    assert response.suggestion == "hezbollah netanyahu"


def test_correction_keeps_case_and_syntax(newsroom):
    assert newsroom.search('"Hezbolah" -Netanyahoo title:Isreal', mode="keyword").suggestion == \
        '"Hezbollah" -Netanyahu title:Israel'


def test_correctly_spelled_query_gets_no_suggestion(newsroom):
    for q in ("Hezbollah Netanyahu", "president election", "госдума", "Hochstein"):
        assert newsroom.search(q, mode="keyword").suggestion is None, q


def test_suggestion_is_not_a_stem(newsroom):
    suggestion = newsroom.search("electons", mode="keyword").suggestion
    assert suggestion in {"elections", "election"}


def test_russian_words_are_corrected_too(newsroom):
    assert newsroom.search("госдумма", mode="keyword").suggestion == "госдума"


def test_autocomplete_completes_the_last_word_and_offers_titles(newsroom):
    out = newsroom.suggest("hezb")
    terms = [s.text for s in out if s.kind == "term"]
    titles = [s for s in out if s.kind == "title"]
    assert terms[0] == "hezbollah"
    assert SEED_ID in {s.id for s in titles}


def test_autocomplete_keeps_earlier_words(newsroom):
    out = newsroom.suggest("israel hezb")
    assert "israel hezbollah" in [s.text for s in out if s.kind == "term"]
    assert all("hezbollah" in s.text.lower() and "israel" in s.text.lower()
               for s in out if s.kind == "title")


def test_autocomplete_prefers_frequent_words(newsroom):
    terms = [s.text for s in newsroom.suggest("pre", limit=20) if s.kind == "term"]
    assert terms[0] == "president"


@pytest.mark.parametrize("text", ["", "h", "   ", "hezbollah ", "<script>", "\x00", "x" * 300])
def test_autocomplete_takes_anything(newsroom, text):
    assert isinstance(newsroom.suggest(text), list)
