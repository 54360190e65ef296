"""The ONNX embedders: exported offline from the bundled model, cached; fp32
gives sentence-transformers' vectors, int8 close ones; queries and updates
never mix int8 vectors with fp32 ones."""

from __future__ import annotations

import socket

import numpy as np
import pytest

from search import Settings
from search.models.embedder import Embedder

MINILM = Settings(model_path="")  # the bundled all-MiniLM-L6-v2 (the default is e5: tests/test_e5.py)
TEXTS = [
    "Israel received a green light from the US for expanded operations against Hezbollah.",
    "Vitamin D deficiency is associated with an increased risk of cardiovascular disease.",
    "Путин провёл телефонный разговор с президентом Франции.",
    "hurricane",
]


@pytest.fixture(scope="module")
def fp32() -> Embedder:
    return Embedder.for_settings(MINILM, backend="torch")


@pytest.fixture(scope="module")
def int8() -> Embedder:
    return Embedder.for_settings(MINILM, backend="onnx-int8")


@pytest.fixture(scope="module")
def onnx() -> Embedder:
    return Embedder.for_settings(MINILM, backend="onnx")


def test_exports_offline_into_the_cache_and_reuses_it(tmp_path, monkeypatch, fp32):
    def no_network(*args, **kwargs):
        raise AssertionError("the embedder tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    int8 = Embedder.for_settings(MINILM.replace(model_cache_dir=str(tmp_path)), backend="onnx-int8")
    vectors = int8.encode(TEXTS)
    exported = sorted(tmp_path.rglob("*.onnx"))
    assert [p.name for p in exported] == ["model.fp32.onnx", "model.int8.onnx"]
    stamp = exported[1].stat().st_mtime_ns
    again = Embedder.for_settings(MINILM.replace(model_cache_dir=str(tmp_path)), backend="onnx-int8")
    assert np.allclose(again.encode(TEXTS), vectors, atol=1e-6)
    assert exported[1].stat().st_mtime_ns == stamp  # loaded, not exported again


def test_onnx_fp32_computes_the_sentence_transformers_vectors(onnx, fp32):
    assert Settings().embed_backend == "onnx"
    a, b = fp32.encode(TEXTS), onnx.encode(TEXTS)
    assert b.shape == a.shape and b.dtype == np.float32
    assert (a * b).sum(axis=1).min() > 0.99999
    assert np.allclose(np.vstack([onnx.encode([t]) for t in TEXTS]), b, atol=1e-5)
    assert onnx.token_offsets(TEXTS) == fp32.token_offsets(TEXTS)
    assert onnx.max_tokens == fp32.max_tokens and onnx.dim == fp32.dim


def test_int8_vectors_are_close_to_fp32(int8, fp32):
    a, b = fp32.encode(TEXTS), int8.encode(TEXTS)
    assert a.shape == b.shape == (len(TEXTS), fp32.dim) == (len(TEXTS), int8.dim)
    assert np.allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    cosines = (a * b).sum(axis=1)
    assert cosines.min() > 0.97
    # The nearest text of each text is the same under both.
    assert ((a @ a.T).argsort(axis=1)[:, -2] == (b @ b.T).argsort(axis=1)[:, -2]).all()


def test_batches_give_nearly_the_vectors_of_single_texts(int8):
    # Activations are quantized per batch, so batch-mates shift a vector a little.
    together = int8.encode(TEXTS)
    alone = np.vstack([int8.encode([t]) for t in TEXTS])
    assert (together * alone).sum(axis=1).min() > 0.97
    assert np.array_equal(int8.encode(TEXTS[:1]), alone[:1])  # deterministic


def test_both_backends_split_text_alike(int8, fp32):
    assert int8.max_tokens == fp32.max_tokens
    assert int8.token_offsets(TEXTS) == fp32.token_offsets(TEXTS)


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="embed_backend"):
        Embedder("somewhere", backend="tpu")


def test_feed_forward_outputs_stay_fp32(int8):
    import onnx

    from search.models.onnx_model import cached_model

    graph = onnx.load(str(cached_model(int8.model_path, int8.cache_dir, int8=True))).graph
    gelu = {o for n in graph.node if "Gelu" in n.op_type for o in n.output}
    after_gelu = [n.op_type for n in graph.node if n.input and n.input[0] in gelu]
    assert after_gelu == ["MatMul"] * 6  # all-MiniLM-L6-v2 has 6 layers
    assert any("Integer" in n.op_type or "Quant" in n.op_type for n in graph.node)


def test_long_texts_are_embedded_in_smaller_batches():
    from search.models.onnx_model import BATCH_TOKENS, length_batches

    lengths = [5] * 70 + [120] * 20 + [256] * 20
    order = np.argsort(lengths, kind="stable")
    batches = length_batches(order, lengths, 32)
    assert sorted(np.concatenate(batches).tolist()) == list(range(len(lengths)))
    assert all(len(b) <= 32 for b in batches)
    assert all(len(b) == 1 or len(b) * max(lengths[i] for i in b) <= BATCH_TOKENS
               for b in batches)
    assert len(batches[0]) == 32 and len(batches[-1]) <= BATCH_TOKENS // 256


@pytest.mark.parametrize("index_backend, configured, used", [
    ("torch", "onnx", "onnx"),      # same vectors: the configured (faster) runtime
    ("onnx", "torch", "torch"),
    ("onnx-int8", "onnx", "onnx-int8"),  # other vectors: the index's own
    ("torch", "onnx-int8", "torch"),
])
def test_queries_are_embedded_into_the_index_vectors(index_backend, configured, used):
    from search.searcher import query_embedder

    manifest = {"model_path": "/models/m", "embed_backend": index_backend}
    chosen = query_embedder(Settings(embed_backend=configured, query_backend=""), manifest)
    assert (chosen.backend, chosen.model_path) == (used, "/models/m")


@pytest.mark.parametrize("index_backend", ["onnx", "torch", "onnx-int8"])
def test_queries_are_embedded_with_int8_weights_by_default(index_backend):
    from search.searcher import query_embedder

    manifest = {"model_path": "/models/m", "embed_backend": index_backend}
    chosen = query_embedder(Settings(), manifest)
    assert (chosen.backend, chosen.model_path) == ("onnx-int8", "/models/m")


def test_updates_refuse_int8_vectors_in_an_fp32_index(tmp_path, onnx, int8):
    from indexer.build import BuildError, build
    from indexer.update import update

    source = tmp_path / "a.jsonl"
    source.write_text('{"id": "a1", "title": "Floods", "body": "Rivers rose in the north."}\n')
    settings = MINILM.replace(index_dir=tmp_path / "index")
    build([source], settings, progress=False, embedder=onnx)
    with pytest.raises(BuildError, match="embed_backend"):
        update([source], settings.replace(embed_backend="onnx-int8"), progress=False,
               embedder=int8)
