"""Names across scripts: an English query's names find the Armenian and
Russian articles that write them in their own script (search.text.romanize),
and weighted fusion credits a foreign article's meaning for the words it
could not match (search.ranking.fusion)."""

import json

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.fields import NUMERIC, TEXT, Schema

from indexer.build import build
from search import Searcher, Settings
from search.index.keyword import KeywordIndex, QueryParser, schema
from search.index.postings import write_postings
from search.ranking.fusion import weighted
from search.text.romanize import other_script_words, query_terms, romanized_analyzer

from .conftest import ROOT

ILUR = ROOT / "tests" / "fixtures" / "editions" / "ilur-hy.jsonl"  # real ILUR articles
PASHINYAN = "ilur-train-politics-text-68534"  # "Վարչապետ Նիկոլ Փաշինյանը ... Ստեփանակերտում ..."
GYUMRI = "ilur-train-accidents-text-35198"  # "... Աշտարակ-Գյումրի հատվածում ..."


@pytest.mark.parametrize("english, native", [
    ("Pashinyan", "Փաշինյանը"), ("Stepanakert", "Ստեփանակերտում"), ("Gyumri", "Գյումրիում"),
    ("Yerevan", "Երևանում"), ("Nork", "Նորքում"), ("Ijevan", "Իջևանի"), ("Putin", "Путина"),
    ("Moskva", "Москве"),
])
def test_a_name_in_latin_letters_matches_its_inflected_form_in_another_script(english, native):
    indexed = {t.text for t in romanized_analyzer()(other_script_words(native))}
    assert query_terms(english) and set(query_terms(english)) <= indexed


def test_only_words_of_other_scripts_are_romanized_and_only_latin_query_words_look():
    assert other_script_words("Reuters: Путин в Москве, 2024 год; Gyumri Գյումրի") == \
        "Путин в Москве год Գյումրի"
    assert query_terms("Путин Москва") == []  # a Russian query's words match Russian text as written
    assert query_terms("the Putin of a in") == ["putin"]  # stop words and short words: none


@pytest.fixture(scope="module")
def editions(tmp_path_factory, embedder):
    """The four real Armenian articles and two English ones."""
    root = tmp_path_factory.mktemp("scripts")
    english = [{"id": "en-pm", "lang": "en", "title": "Prime minister addresses the nation",
                "body": "The prime minister spoke on television about the protests."},
               {"id": "en-road", "lang": "en", "title": "Road accident on the highway",
                "body": "Five people were injured when a car left the road near the city."}]
    source = root / "articles.jsonl"
    source.write_text(ILUR.read_text(encoding="utf-8")
                      + "".join(json.dumps(a) + "\n" for a in english), encoding="utf-8")
    build([source], Settings(index_dir=root / "index"), progress=False, embedder=embedder)
    return root / "index"


def _keyword_ids(index, settings, query):
    searcher = Searcher.open(index, settings.replace(index_dir=index))
    try:
        return [h.article.id for h in searcher.search(query, mode="keyword").hits]
    finally:
        searcher.close()


@pytest.mark.parametrize("query, wanted", [("Pashinyan Stepanakert", PASHINYAN),
                                           ("accident near Gyumri", GYUMRI)])
def test_an_english_query_finds_the_armenian_article_by_its_names(editions, query, wanted):
    assert wanted in _keyword_ids(editions, Settings(), query)
    # Off with cross-lingual search, or with the field's weight at 0.
    for off in (Settings(cross_lingual=False), Settings(romanized_boost=0.0)):
        assert wanted not in _keyword_ids(editions, off, query)


def test_the_names_an_english_query_matched_are_marked_in_the_armenian_snippet(editions):
    searcher = Searcher.open(editions, Settings(index_dir=editions))
    try:
        (hit,) = [h for h in searcher.search("Pashinyan Stepanakert", mode="hybrid").hits
                  if h.article.id == PASHINYAN]
    finally:
        searcher.close()
    assert "<mark>Փաշինյանը</mark>" in hit.snippet and "<mark>Ստեփանակերտում</mark>" in hit.snippet


def test_english_articles_score_as_without_the_field(editions):
    on, off = (Searcher.open(editions, Settings(index_dir=editions, romanized_boost=b))
               for b in (0.5, 0.0))
    try:
        for query in ("prime minister protests", "road accident"):
            assert on.rank(query, "keyword") == off.rank(query, "keyword")
    finally:
        on.close()
        off.close()


def test_an_index_written_before_the_field_existed_is_searched_without_it(tmp_path):
    old = Schema(ord=NUMERIC(int, bits=64, stored=True, unique=True, sortable=True),
                 title=TEXT(analyzer=schema()["title"].analyzer, stored=True),
                 body=TEXT(analyzer=schema()["body"].analyzer))
    ix = whoosh_index.create_in(str(tmp_path), old)
    with ix.writer() as w:
        w.add_document(ord=0, title="Pashinyan visits Gyumri", body="The prime minister spoke.")
    write_postings(ix)
    keyword = KeywordIndex(tmp_path, 1.2, 0.75, 0.5, romanized_boost=0.5)
    try:
        assert keyword.parser.scored == ["title", "body"]
        assert keyword.search(keyword.parse("Pashinyan"), 10)[0][0][0] == 0
        # A query that asks for the field (a sharded index's parser) still scores fast.
        full = QueryParser(schema(), 0.5, 0.5).parse("Pashinyan")
        assert keyword.search(full, 10) == keyword.search(keyword.parse("Pashinyan"), 10)
    finally:
        keyword.close()


def test_fusion_credit_ranks_a_foreign_meaning_only_hit_below_a_hit_both_lists_find():
    keyword = [("native", 8.0), ("named", 2.0), ("half-named", 1.0), ("other", 0.0)]
    semantic = [("foreign", 0.9), ("native", 0.9), ("named", 0.9), ("half-named", 0.9),
                ("other", 0.1)]
    foreign = {"foreign", "named", "half-named"}.__contains__
    full = dict(weighted([keyword, semantic], [0.5, 0.5], [foreign, None]))
    assert full["foreign"] == pytest.approx(full["native"]) == pytest.approx(1.0)
    half = dict(weighted([keyword, semantic], [0.5, 0.5], [foreign, None], credit=0.5))
    assert half["foreign"] == pytest.approx(0.75) and half["native"] == pytest.approx(1.0)
    # Names matched are scaled by the best name match (2.0), not by the native 8.0.
    assert half["named"] == pytest.approx(1.0) and half["half-named"] == pytest.approx(0.75)
    assert np.isclose(half["other"], full["other"])
