"""search.ranking.query_offset: a query moved to the passages' side of a space."""

from __future__ import annotations

import numpy as np

from search.ranking.query_offset import FEWEST, FEWEST_PASSAGES, QueryOffset, evenly


def unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=np.float32)
    return v / np.linalg.norm(v)


class Counting:
    """An embedder giving every title the same vector, counting its calls."""

    def __init__(self, vector):
        self.vector, self.calls = np.asarray(vector, dtype=np.float32), 0

    def __call__(self, texts):
        self.calls += 1
        return np.tile(self.vector, (len(texts), 1))


def offset(embed, titles_per_lang=None, passages=None, bundled=None) -> QueryOffset:
    titles_per_lang = titles_per_lang or {}
    passages = np.tile(unit([0, 1, 0]), (FEWEST_PASSAGES, 1)) if passages is None else passages
    return QueryOffset(lambda lang: titles_per_lang.get(lang, []), lambda: passages, embed,
                       bundled or {})


def test_the_query_mean_goes_out_and_the_passage_mean_in():
    query = unit([1, 1, 1])
    moved = offset(Counting([1, 0, 0]), {"hy": ["a title"] * FEWEST}).move(query, "hy")
    np.testing.assert_allclose(moved, unit(query - [1, 0, 0] + unit([0, 1, 0])), atol=1e-6)
    assert abs(np.linalg.norm(moved) - 1) < 1e-6 and moved.dtype == np.float32


def test_too_few_titles_take_the_bundled_mean_and_none_leaves_the_query_alone():
    query = unit([1, 2, 3])
    moving = offset(Counting([1, 0, 0]), {"en": ["one title"] * (FEWEST - 1), "ru": [" "] * 50},
                    bundled={"en": np.array([0, 0, 1], dtype=np.float32)})
    np.testing.assert_allclose(moving.move(query, "en"), unit(query - [0, 0, 1] + [0, 1, 0]),
                               atol=1e-6)
    assert moving.move(query, "ru") is query  # blank titles do not count
    assert moving.move(query, "az") is query


def test_a_space_of_few_passages_moves_nothing():
    # Their mean would say where a few articles' topics lie, and pull queries there.
    query = unit([1, 0, 1])
    for passages in (np.zeros((0, 3)), np.tile(unit([0, 1, 0]), (FEWEST_PASSAGES - 1, 1))):
        few = offset(Counting([1, 0, 0]), {"hy": ["t"] * FEWEST}, passages=passages)
        assert few.move(query, "hy") is query


def test_the_means_are_measured_once_per_language_one_title_at_a_time():
    embed = Counting([1, 0, 0])
    moving = offset(embed, {"hy": ["t"] * 40, "ru": ["т"] * 20})
    for _ in range(3):
        moving.move(unit([0, 0, 1]), "hy")
        moving.move(unit([0, 0, 1]), "ru")
    assert embed.calls == 60  # as queries are embedded: alone


def test_samples_are_spread_evenly():
    assert evenly(np.arange(10), 20).tolist() == list(range(10))
    picked = evenly(np.arange(1000), 5).tolist()
    assert picked == [0, 250, 500, 749, 999]
