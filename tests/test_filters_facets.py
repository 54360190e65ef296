"""Filters, facet counts and sorting, in all three modes, on the newsroom fixture."""

from datetime import date

import pytest

from search import Filters, SearchError

MODES = ["keyword", "semantic", "hybrid"]


@pytest.mark.parametrize("mode", MODES)
def test_category_filter_keeps_only_that_section(newsroom, mode):
    response = newsroom.search("president election", mode=mode, size=50,
                               filters=Filters(category=("POLITICS",)))
    assert response.hits
    assert {h.article.category for h in response.hits} == {"POLITICS"}
    assert response.total == len(response.hits)  # all on one page; near-duplicates count once


@pytest.mark.parametrize("mode", MODES)
def test_facet_counts_match_the_filtered_totals(newsroom, mode):
    unfiltered = newsroom.search("president government", mode=mode, facets=True, size=50)
    for item in unfiltered.facets["category"]:
        filtered = newsroom.search("president government", mode=mode, size=50,
                                   filters=Filters(category=(item["value"],)))
        shown = sum(1 + len(h.similar) for h in filtered.hits)
        assert shown == item["count"], item


@pytest.mark.parametrize("mode", MODES)
def test_date_range_filter(newsroom, mode):
    filters = Filters(date_from=date(2004, 11, 16), date_to=date(2004, 11, 30))
    response = newsroom.search("president", mode=mode, filters=filters, size=50)
    assert response.hits
    for hit in response.hits:
        assert date(2004, 11, 16) <= hit.article.published.date() <= date(2004, 11, 30)


def test_language_and_author_filters_combine(newsroom):
    response = newsroom.search("закон госдума", mode="hybrid", size=50,
                               filters=Filters(lang=("ru",), author=("Иван Петров",)))
    assert response.hits and {h.article.lang for h in response.hits} == {"ru"}
    none = newsroom.search("закон госдума", mode="hybrid", filters=Filters(lang=("ru",), author=("John Smith",)))
    assert none.hits == [] and none.total == 0


def test_several_values_of_one_field_mean_any(newsroom):
    both = newsroom.search("president", mode="keyword", size=50,
                           filters=Filters(category=("POLITICS", "WORLD")))
    assert {h.article.category for h in both.hits} <= {"POLITICS", "WORLD"}
    one = newsroom.search("president", mode="keyword", size=50, filters=Filters(category=("POLITICS",)))
    assert both.total > one.total


def test_facets_are_disjunctive(newsroom):
    """Choosing one section still shows the counts of the others."""
    response = newsroom.search("president", mode="keyword", facets=True,
                               filters=Filters(category=("POLITICS",)))
    values = {f["value"]: f for f in response.facets["category"]}
    assert values["POLITICS"]["selected"] and len(values) > 1
    assert all(f["count"] > 0 for f in values.values())


def test_facets_count_languages_years_and_authors(newsroom):
    # An English query about a Russian article (cross-lingual, by meaning: e5 scores
    # the bare "self-driving cars law" 0.795 against it, below its cross-lingual floor).
    facets = newsroom.search("self-driving cars law in Russia", mode="semantic", facets=True).facets
    assert "ru" in {f["value"] for f in facets["lang"]}
    assert "2016" in {f["value"] for f in facets["year"]}
    assert "Иван Петров" in {f["value"] for f in facets["author"]}


def test_year_facet_is_selected_by_a_whole_year_range(newsroom):
    facets = newsroom.search("president", mode="keyword", facets=True,
                             filters=Filters.parse(date_from="2004", date_to="2004")).facets
    assert [f["value"] for f in facets["year"] if f["selected"]] == ["2004"]


@pytest.mark.parametrize("mode", MODES)
def test_sort_newest_orders_by_date_with_undated_last(newsroom, mode):
    response = newsroom.search("president government country", mode=mode, sort="newest", size=50)
    dates = [h.article.published for h in response.hits]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated, reverse=True)
    assert dates[: len(dated)] == dated  # undated come after every dated one


def test_newest_sort_in_keyword_mode_reaches_every_match(newsroom):
    relevance = newsroom.search("the president", mode="keyword", size=50)
    newest = newsroom.search("the president", mode="keyword", size=50, sort="newest")
    assert newest.total == relevance.total
    assert {h.article.id for h in newest.hits} == {h.article.id for h in relevance.hits}


@pytest.mark.parametrize(
    "kwargs,code",
    [({"date_from": "yesterday"}, "bad_from"), ({"date_to": "2024-13-01"}, "bad_to"),
     ({"date_from": "2024-10-02", "date_to": "2024-10-01"}, "bad_date_range"),
     ({"category": ["x" * 201]}, "bad_category"), ({"author": [str(i) for i in range(21)]}, "bad_author")],
)
def test_bad_filters_are_refused(kwargs, code):
    with pytest.raises(SearchError) as e:
        Filters.parse(**kwargs)
    assert e.value.code == code


def test_partial_dates_cover_whole_months_and_years():
    f = Filters.parse(date_from="2024-02", date_to="2024-02")
    assert (f.date_from, f.date_to) == (date(2024, 2, 1), date(2024, 2, 29))
    assert Filters.parse(date_to="2023").date_to == date(2023, 12, 31)


def test_bad_sort_is_refused(newsroom):
    with pytest.raises(SearchError) as e:
        newsroom.search("x", sort="oldest")
    assert e.value.code == "bad_sort"
