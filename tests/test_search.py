"""Ranking and snippets of the three modes, on the real model and index."""

import pytest

from search import Searcher, SearchError, Settings
from search.index.keyword import positive_terms
from search.ranking.fusion import reciprocal_rank, weighted
from search.text.analysis import terms

PARAPHRASE = "US backs Israel's campaign against the Lebanese militia"
SEED_TITLE = 'Politico: Israel received "green light" from US for expanded ops against Hezbollah'


@pytest.mark.parametrize("mode", ["semantic", "hybrid"])
def test_paraphrase_finds_the_seed_article_first(searcher, mode):
    response = searcher.search(PARAPHRASE, mode=mode)
    assert response.hits[0].article.title == SEED_TITLE


def test_keyword_finds_names_and_marks_them(searcher):
    response = searcher.search("Hochstein McGurk", mode="keyword")
    assert response.total == 1
    hit = response.hits[0]
    assert hit.article.title == SEED_TITLE
    assert "<mark>Hochstein</mark>" in hit.snippet and "<mark>McGurk</mark>" in hit.snippet


def test_keyword_matches_word_forms(searcher):
    snippet = searcher.search("deploy troop", mode="keyword").hits[0].snippet
    assert "<mark>deploying</mark>" in snippet or "<mark>troops</mark>" in snippet


def test_semantic_only_hit_gets_its_best_passage_not_the_first(index_dir, embedder):
    # No word in common with the article; the answer is near its end.  The
    # match is weak (cosine 0.25, below the 2-word relevance floor), so this
    # looks at snippets without the floor.
    unfloored = Searcher.open(index_dir, Settings(index_dir=index_dir, similarity_floors=""),
                              embedder=embedder)
    response = unfloored.search("warplanes dispatched", mode="semantic")
    unfloored.close()
    hit = next(h for h in response.hits if h.article.title == SEED_TITLE)
    first_words = hit.article.body[:60]
    assert first_words not in hit.snippet
    assert "additional troops" in hit.snippet or "fighter jets" in hit.snippet
    assert "<mark>" not in hit.snippet


def test_results_carry_article_fields_and_scores(searcher):
    response = searcher.search(PARAPHRASE, mode="hybrid", size=5)
    assert 1 <= len(response.hits) <= 5
    scores = [h.score for h in response.hits]
    assert scores == sorted(scores, reverse=True)
    record = response.hits[0].to_dict()
    assert set(record) == {"id", "url", "title", "published", "category", "author", "lang",
                           "score", "snippet", "similar_count", "similar"}


def test_pages_do_not_overlap(searcher):
    first = searcher.search("president election", mode="hybrid", page=1, size=3)
    second = searcher.search("president election", mode="hybrid", page=2, size=3)
    ids = [h.article.id for h in first.hits + second.hits]
    assert len(ids) == 6 and len(set(ids)) == 6


def test_empty_query_returns_no_results(searcher):
    for q in ("", "   "):
        response = searcher.search(q)
        assert response.hits == [] and response.total == 0


def test_stopword_only_query_returns_no_results_without_error(searcher):
    assert searcher.search("the of and", mode="keyword").hits == []


@pytest.mark.parametrize("query", ['"unclosed phrase', "title:", "AND OR NOT", "((", "-", "a:b:c"])
def test_odd_syntax_never_errors(searcher, query):
    searcher.search(query, mode="keyword")


@pytest.mark.parametrize(
    "kwargs,code",
    [({"mode": "fuzzy"}, "bad_mode"), ({"size": 0}, "bad_size"), ({"size": 101}, "bad_size"),
     ({"page": 0}, "bad_page"), ({"page": 10**6}, "bad_page")],
)
def test_bad_parameters_are_refused(searcher, kwargs, code):
    with pytest.raises(SearchError) as e:
        searcher.search("israel", **kwargs)
    assert e.value.code == code


def test_reciprocal_rank_fusion_rewards_agreement():
    fused = reciprocal_rank([[("a", 9), ("b", 5)], [("b", 0.9), ("c", 0.8)]], [0.5, 0.5], k=60)
    assert [key for key, _ in fused] == ["b", "a", "c"]
    assert fused[0][1] == pytest.approx(0.5 / 62 + 0.5 / 61)


def test_weighted_fusion_normalises_each_list():
    fused = weighted([[("a", 10.0), ("b", 0.0)], [("b", 0.9), ("c", 0.1)]], [0.3, 0.7])
    assert dict(fused) == pytest.approx({"a": 0.3, "b": 0.7, "c": 0.0})


def test_weighted_fusion_does_not_count_a_list_blind_to_a_key_against_it():
    """"r" is in another language than the query: the keyword list could not
    hold it, so its meaning alone ranks it; "e" could and did not."""
    keyword = [("a", 4.0), ("e", 0.0)]
    semantic = [("r", 0.9), ("e", 0.5), ("a", 0.1)]
    plain = dict(weighted([keyword, semantic], [0.5, 0.5]))
    fused = dict(weighted([keyword, semantic], [0.5, 0.5], [lambda key: key == "r", None]))
    assert plain["r"] == pytest.approx(0.5) and fused["r"] == pytest.approx(1.0)
    assert fused["e"] == plain["e"] and fused["a"] == plain["a"]


@pytest.mark.parametrize("query", ["anti-war protest", "COVID-19 vaccine", "0-dimensional biomaterials"])
def test_hyphenated_words_are_searched_not_excluded(searcher, query):
    parsed = searcher.keyword.parse(query)
    assert "Not" not in repr(parsed)
    assert positive_terms(parsed) == set(terms(query))


def test_minus_at_word_start_still_excludes(searcher):
    with_minus = {h.article.id for h in searcher.search("Israel -Hezbollah", mode="keyword", size=50).hits}
    plain = {h.article.id for h in searcher.search("Israel", mode="keyword", size=50).hits}
    assert with_minus < plain
