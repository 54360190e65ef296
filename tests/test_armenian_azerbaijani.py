"""Armenian and Azerbaijani keyword search: inflected words stemmed
(search.text.stemmers), found in keyword and hybrid mode, marked in
snippets, corrected and completed from the index's own words."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.build import build
from search import Searcher, Settings
from search.features.snippets import matches
from search.text.analysis import TOKEN, analyse, fold, language, news_analyzer, term, terms

from .conftest import ROOT

EDITIONS = ROOT / "tests" / "fixtures" / "editions"
ILUR = EDITIONS / "ilur-hy.jsonl"  # real ILUR articles
TATOEBA_AZ = EDITIONS / "tatoeba-az.jsonl"  # real Tatoeba sentences
AZERBAIJANI = EDITIONS / "azerbaijani.jsonl"
ACCIDENT = "ilur-train-accidents-text-35198"  # "... նախարարությունում ... փրկարարների ..."
ROADS = "ilur-train-weather-text-24481"  # "... նախարարությունը ... Նախարարությունում ..."


def test_armenian_inflections_share_a_stem_in_any_language():
    for lang in ("hy", "en", "az", "ru", "fr", ""):
        with language(lang):
            assert len(set(terms("նախարարություն նախարարությունում Նախարարության "
                                 "ՆԱԽԱՐԱՐՈՒԹՅԱՆԸ նախարարությունից"))) == 1
            assert len(set(terms("փրկարարներ փրկարարների Փրկարարները փրկարար"))) == 1
            assert terms("Հայաստան Հայաստանի Հայաստանում") == ["հայաստան"] * 3
            assert len(set(terms("զոհվել զոհվեց զոհված"))) == 1
    # Words too short to cut stay whole; the inner question mark still folds away.
    assert terms("Ինչո՞ւ մարդ") == ["ինչու", "մարդ"]


def test_azerbaijani_words_are_stemmed_only_in_azerbaijani_text():
    with language("az"):
        assert terms("prezident prezidentlər PREZİDENTLƏRİN prezidentin") == ["prezident"] * 4
        assert len(set(terms("Bakı Bakıda BAKIDA bakida Bakının Bakıdakı Bakıya"))) == 1
        assert len(set(terms("Azərbaycan Azərbaycanın Azərbaycanda"))) == 1
        assert len(set(terms("Portuqaliya Portuqaliyanın Portuqaliyada"))) == 1
        assert terms("evdə ev") == ["evdə", "ev"]  # "ev" + "də": no three letters would be left
    with language("en"):  # English words keep the English stemmer
        assert terms("elections prezidentlər") == ["elect", "prezidentlər"]
    with language("fr"):  # a language with no stemmer of its own: as written
        assert terms("élections prezidentlər") == ["élections", "prezidentlər"]


def _real_words() -> tuple[set[str], set[str]]:
    armenian = {w for path in (ILUR, EDITIONS / "armenian.jsonl")
                for line in path.read_text(encoding="utf-8").splitlines()
                for record in [json.loads(line)]
                for w in TOKEN.findall(record["title"] + " " + record["body"])}
    azerbaijani = {w for path in (TATOEBA_AZ, AZERBAIJANI)
                   for line in path.read_text(encoding="utf-8").splitlines()
                   for record in [json.loads(line)]
                   for w in TOKEN.findall(record["title"] + " " + record["body"])}
    return armenian, azerbaijani


def test_a_stem_begins_its_word_and_the_highlighter_finds_every_word_by_it():
    armenian, azerbaijani = _real_words()
    assert len(armenian) > 300 and len(azerbaijani) > 200
    for lang, words in (("hy", armenian), ("az", azerbaijani)):
        with language(lang):
            for w in words:
                t = term(w)
                if t:
                    assert fold(w).startswith(t), (w, t)
                    assert matches(w, {t}) == [(0, len(w))], (w, t)


def _whoosh(text: str) -> list[tuple[str, int, int]]:
    return [(t.text, t.startchar, t.endchar) for t in news_analyzer()(text, chars=True)]


ARMENIAN_WORDS = ["նախարարությունում", "Նախարարության", "փրկարարների", "Երևանի", "և", "ինչո՞ւ",
                  "ՀԱՅԱՍՏԱՆԻՑ", "զոհվեցին", "ՃՏՊ-ի", "21-ին"]
AZERBAIJANI_WORDS = ["Bakıdakı", "BAKIDA", "İlham", "prezidentlərin", "Azərbaycanın", "evdə",
                     "şəhərində", "Portuqaliyanın", "stansiyası", "xəbərləri"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("աբնրիըումեցվլդսԱՆԻՈՒև\u055e\u055b -.,"
                                                  "aıəiİIxqlrdnsuüy"), max_size=8)
                | st.sampled_from(ARMENIAN_WORDS + AZERBAIJANI_WORDS), max_size=8).map(" ".join),
       st.sets(st.sampled_from(["նախարարությ", "փրկարար", "երևան", "ին", "aba", "bak", "prezident",
                                "azərbayc", "evdə", "ab", "ə", "ի"]), max_size=3),
       st.sampled_from(["hy", "az", "en", ""]))
def test_fast_highlighting_equals_the_analyzer_in_armenian_and_azerbaijani(text, extra, lang):
    with language(lang):
        analysed = _whoosh(text)
        assert list(analyse(text)) == analysed
        wanted = {t for t, _, _ in analysed[::2]} | extra
        assert matches(text, wanted) == [(s, e) for t, s, e in analysed if t in wanted]


# --- through the search -----------------------------------------------------------------
@pytest.fixture(scope="module")
def editions(tmp_path_factory, embedder) -> Searcher:
    """Four real Armenian articles (their language detected), three Azerbaijani
    news texts and twelve Azerbaijani Tatoeba sentences."""
    source = tmp_path_factory.mktemp("hy-az") / "hy-az.jsonl"
    source.write_text("".join(p.read_text(encoding="utf-8") for p in (ILUR, AZERBAIJANI, TATOEBA_AZ)),
                      encoding="utf-8")
    path = tmp_path_factory.mktemp("hy-az-index")
    build([source], Settings(index_dir=path), progress=False, embedder=embedder)
    searcher = Searcher.open(path, Settings(index_dir=path), embedder=embedder)
    yield searcher
    searcher.close()


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_armenian_dictionary_forms_find_the_inflected_article(editions, mode):
    found = editions.search("նախարարություն", mode=mode)
    assert found.query_lang == "hy"
    assert {h.article.id for h in found.hits} == {ACCIDENT, ROADS}
    found = editions.search("Արտակարգ իրավիճակների նախարարություն փրկարարներ", mode=mode)
    assert found.hits[0].article.id == ACCIDENT
    snippet = found.hits[0].snippet
    assert "<mark>նախարարությունում</mark>" in snippet and "<mark>փրկարարների</mark>" in snippet


@pytest.mark.parametrize("mode", ["keyword", "hybrid"])
def test_azerbaijani_inflected_query_finds_the_sentence(editions, mode):
    found = editions.search("Portuqaliya qonşuları", mode=mode)
    assert found.query_lang == "az"
    assert found.hits[0].article.id == "tatoeba-aze-710"
    assert "<mark>Portuqaliyanın</mark>" in found.hits[0].snippet
    assert "<mark>qonşusu</mark>" in found.hits[0].snippet
    found = editions.search("stansiyalar metropolitendə", mode=mode)
    assert found.hits[0].article.id == "az-1"


def test_did_you_mean_corrects_armenian_and_keeps_azerbaijani_i(editions):
    found = editions.search("փրկարարնեի", mode="keyword")  # one letter dropped
    assert found.suggestion == "փրկարարների"
    assert editions.search("Փրկարարնեի").suggestion == "Փրկարարների"  # its capital kept
    # A word typed right with the dotless or dotted i is not "corrected".
    for query in ("Bakı metropoliteni", "BAKI METROPOLİTENİ", "bakı"):
        assert editions.search(query, mode="keyword").suggestion is None, query


def test_suggestions_complete_armenian_and_azerbaijani_in_any_case(editions):
    for typed in ("նախարարությ", "ՆԱԽԱՐԱՐՈՒԹՅ", "Նախարարությ"):
        words = [s.text for s in editions.suggest(typed) if s.kind == "term"]
        assert "նախարարությունում" in words, typed
    for typed in ("metropol", "METROPOL", "Bakı metropol"):
        words = [s.text for s in editions.suggest(typed) if s.kind == "term"]
        assert any(w.endswith("metropoliteninin") for w in words), typed
    terms_ = [s.text for s in editions.suggest("Bakı metropol") if s.kind == "term"]
    assert terms_ and all(t.startswith("Bakı metropolit") for t in terms_)  # as typed, then completed
    titles = [s.id for s in editions.suggest("Bakıda yeni metro") if s.kind == "title"]
    assert titles == ["az-1"]
