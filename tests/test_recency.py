"""The news recency boost: off by default in eval, reorders dated results on the site."""

import json
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from indexer.build import build
from search import Searcher, Settings
from search.ranking.recency import DAY, boost

NOW = datetime(2024, 10, 1, tzinfo=timezone.utc).timestamp()


def test_boost_halves_with_each_half_life_and_spares_undated_articles():
    published = np.array([np.nan, NOW, NOW - 30 * DAY, NOW - 3000 * DAY, np.nan])
    ranked = [(3, 1.0), (2, 1.0), (1, 1.0), (4, 1.0)]
    boosted = dict(boost(ranked, published, NOW, weight=0.5, half_life_days=30))
    assert boosted[1] == pytest.approx(1.5)  # published now
    assert boosted[2] == pytest.approx(1.25)  # one half-life old
    assert boosted[3] == pytest.approx(1.0, abs=1e-9)  # old news: plain score
    assert boosted[4] == 1.0  # undated: plain score
    assert [o for o, _ in boost(ranked, published, NOW, 0.5, 30)][:2] == [1, 2]


def test_boost_off_or_future_dates_change_nothing_odd():
    published = np.array([np.nan, NOW + 5 * DAY])
    assert boost([(1, 2.0)], published, NOW, 0.0, 30) == [(1, 2.0)]
    assert boost([(1, 2.0)], published, NOW, 0.5, 30) == [(1, pytest.approx(3.0))]  # clamped to now


@pytest.fixture(scope="module")
def dated_index(tmp_path_factory, embedder):
    """One story: an old report about it, a fresh roundup mentioning it, undated notes."""
    now = datetime.now(timezone.utc)
    articles = [
        {"id": "old", "title": "Harbour bridge closed",
         "body": "The harbour bridge is closed for repairs.",
         "published": (now - timedelta(days=400)).isoformat()},
        {"id": "fresh", "title": "City roundup: bridge closed",
         "body": "Among today's news: the harbour bridge was closed this morning after a crash. "
                 "The market reopened and the school term began.",
         "published": (now - timedelta(days=1)).isoformat()},
        {"id": "undated", "title": "Harbour notes",
         "body": "Notes on the harbour and its bridge.", "published": None},
    ]
    root = tmp_path_factory.mktemp("dated")
    (root / "news.jsonl").write_text("\n".join(json.dumps(a) for a in articles) + "\n")
    index = root / "index"
    build([root / "news.jsonl"], Settings(index_dir=index), progress=False, embedder=embedder)
    return index


def ranking(index, embedder, **settings):
    searcher = Searcher.open(index, Settings(index_dir=index, **settings), embedder=embedder)
    try:
        hits = searcher.search("harbour bridge closed", mode="keyword").hits
        return [h.article.id for h in hits], {h.article.id: h.score for h in hits}
    finally:
        searcher.close()


def test_recency_boost_lifts_the_fresh_report_above_the_old_one(dated_index, embedder):
    plain, plain_scores = ranking(dated_index, embedder, recency_weight=0.0)
    assert plain[0] == "old"
    boosted, scores = ranking(dated_index, embedder, recency_weight=1.0, recency_half_life_days=7)
    assert boosted[0] == "fresh"
    assert scores["fresh"] == pytest.approx(plain_scores["fresh"] * (1 + 2 ** (-1 / 7)), rel=1e-3)
    assert scores["undated"] == pytest.approx(plain_scores["undated"])  # no date, no boost
    assert scores["old"] == pytest.approx(plain_scores["old"])  # 400 days: boost long gone

