"""The vector index: exact below a size threshold, IVF above, same answers
when every cell is scanned; memory-mapped loading; compact passage map."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.build import build
from search import Searcher, Settings
from search.index.vectors import APPROXIMATE, EXACT, VectorIndex, choose, ivf_lists


def test_the_kind_follows_the_collection_size():
    assert choose(1_000, exact_max=50_000) == EXACT
    assert choose(50_000, exact_max=50_000) == EXACT
    assert choose(50_001, exact_max=50_000) == APPROXIMATE
    assert ivf_lists(300_000) == int(4 * 300_000 ** 0.5)
    assert ivf_lists(100) == 2  # never fewer than ~39 training vectors per cell


@pytest.fixture(scope="module")
def real_vectors(searcher):
    """The fixture index's own passage vectors (real model embeddings)."""
    pids = np.flatnonzero(np.asarray(searcher.passage_article) >= 0)
    return pids, searcher.vectors.vectors(pids.tolist())


def _index(pids, vecs, exact_max: int) -> VectorIndex:
    index = VectorIndex.build(vecs.shape[1])
    index.add(pids, vecs)
    return index.for_size(exact_max)


def test_ivf_scanning_every_cell_equals_exact_search(tmp_path, real_vectors):
    pids, vecs = real_vectors
    exact = _index(pids, vecs, exact_max=10**9)
    ivf = _index(pids, vecs, exact_max=10)
    assert (exact.kind, ivf.kind) == (EXACT, APPROXIMATE)
    for index in (exact, ivf):
        ids, stored = index.all_vectors()
        assert sorted(ids.tolist()) == sorted(pids.tolist())
        assert np.allclose(stored[np.argsort(ids)], vecs[np.argsort(pids)])
    ivf.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", nprobe=ivf.index.nlist, mmap=True)
    for q in vecs[::7]:
        e_scores, e_pids = exact.search(q, 10)
        a_scores, a_pids = loaded.search(q, 10)
        assert a_pids.tolist() == e_pids.tolist()
        assert np.allclose(a_scores, e_scores, atol=1e-5)
    assert np.allclose(loaded.vectors([int(pids[3])]), vecs[3:4])


def test_ivf_takes_added_and_removed_passages(real_vectors):
    pids, vecs = real_vectors
    ivf = _index(pids[:-5], vecs[:-5], exact_max=10)
    ivf.add(pids[-5:], vecs[-5:])
    ivf.remove(pids[:5].tolist())
    assert len(ivf) == len(pids) - 5
    assert sorted(ivf.ids().tolist()) == sorted(pids[5:].tolist())
    ivf.index.nprobe = ivf.index.nlist
    assert ivf.search(vecs[-1], 1)[1].tolist() == [pids[-1]]


def test_large_collections_are_searched_with_ivf(tmp_path, corpus_dir, embedder, searcher):
    path = tmp_path / "index"
    settings = Settings(index_dir=path, exact_search_max_passages=10, ivf_nprobe=1000)
    build([corpus_dir], settings, progress=False, embedder=embedder)
    ivf_searcher = Searcher.open(path, settings, embedder=embedder)
    assert ivf_searcher.manifest["vector_index"] == APPROXIMATE
    assert ivf_searcher.manifest["embed_backend"] == embedder.backend
    assert searcher.manifest["vector_index"] == EXACT
    assert ivf_searcher.passage_article.dtype == np.int32
    query = "US backs Israel's campaign against the Lebanese militia"
    ranked = lambda s: [(h.article.id, round(h.score, 5)) for h in s.search(query, "semantic").hits]  # noqa: E731
    assert ranked(ivf_searcher) == ranked(searcher)
