"""Sentence-transformers models run by ONNX Runtime, fp32 or with int8 weights.

At first use the local model folder is exported to ONNX (``torch.onnx``) and
the attention, LayerNorm and GELU subgraphs are fused for the CPU
(``onnxruntime.transformers.optimizer``): that fp32 model computes the
sentence-transformers vectors (to ~1e-6) with less overhead per operation
than torch, which matters most for short texts such as queries.  For the
int8 variant the weight matrices are then quantized
(``onnxruntime.quantization.quantize_dynamic``).  Both are cached in a folder
keyed by the model's files and reused by every later process.  Nothing is
downloaded: the model is read from its local folder only.

int8 vectors stay within ~0.01 cosine of the fp32 model's, which costs some
nDCG@10 on SciFact train (docs/performance.md), so int8 is opt-in
(``embed_backend = "onnx-int8"``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from search.models import threads

log = logging.getLogger(__name__)

FORMAT = "onnx-v4"  # bump when the export recipe changes
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def default_cache_dir() -> Path:
    """Where exported models are kept: ``$XDG_CACHE_HOME/newsearch`` (~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "newsearch" / "models"


def cached_model(model_path: str, cache_dir: Path, int8: bool = False) -> Path:
    """The ONNX file (fused fp32, or ``int8``) for ``model_path``, made on first use."""
    folder = Path(cache_dir) / _cache_key(model_path)

    def make_fp32(tmp: Path) -> Path:
        log.info("exporting %s to ONNX in %s (once)", model_path, folder)
        exported = tmp / "model.onnx"
        _export(model_path, exported)
        return _fuse(model_path, exported, tmp / "fused.onnx")

    if int8:
        return build_cached(folder, make_fp32, "int8", quantize_int8)
    return build_cached(folder, make_fp32)


def build_cached(folder: Path, make_fp32: Callable[[Path], Path], name: str = "fp32",
                 quantize: Callable[[Path, Path], None] | None = None,
                 extra: dict[str, Callable[[Path], None]] | None = None) -> Path:
    """``folder/model.<name>.onnx``, made on first use: ``make_fp32(tmp)``
    writes the fused fp32 graph in a temporary folder and returns its path;
    another ``name`` is made from it by ``quantize(fp32, out)``
    (`quantize_int8`); ``extra`` files (name -> writer of that path) are made
    beside it.  Every file lands by an atomic rename, so concurrent builders
    are harmless."""
    if (name == "fp32") != (quantize is None):
        raise ValueError(f"graph {name!r}: only fp32 is made without quantize")
    fp32 = folder / "model.fp32.onnx"
    target = folder / f"model.{name}.onnx"
    extra = extra or {}
    if target.exists() and all((folder / file).exists() for file in extra):
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        for file, write in extra.items():
            if not (folder / file).exists():
                write(Path(tmp) / file)
                os.replace(Path(tmp) / file, folder / file)
        if not fp32.exists():
            os.replace(make_fp32(Path(tmp)), fp32)
        if quantize and not target.exists():
            log.info("quantizing %s to %s (once)", fp32, target.name)
            quantized = Path(tmp) / target.name
            # quantize_dynamic writes a "-inferred" model beside its input:
            # quantize a link in our own folder, so concurrent builders (the
            # server processes warming up together) never share that file.
            source = Path(tmp) / fp32.name
            os.link(fp32, source)
            quantize(source, quantized)
            os.replace(quantized, target)
    return target


def cache_key(name: str, parts: Sequence[str]) -> str:
    """The cache folder name of a model: ``name`` and a digest of ``parts``
    (`FORMAT`-like recipe versions, file stats or content hashes)."""
    return f"{name}-{hashlib.sha1('|'.join(parts).encode()).hexdigest()[:16]}"


def _cache_key(model_path: str) -> str:
    folder = Path(model_path).resolve()
    parts = [FORMAT, str(folder)]
    for name in sorted(os.listdir(folder)):
        path = folder / name
        if path.is_file():
            st = path.stat()
            parts.append(f"{name}:{st.st_size}:{int(st.st_mtime)}")
    return cache_key(folder.name, parts)


def _export(model_path: str, out: Path) -> None:
    import torch
    from transformers import AutoModel, AutoTokenizer

    # Eager attention exports the plain softmax(QK^T)V graph the fuser recognises.
    model = AutoModel.from_pretrained(model_path, attn_implementation="eager",
                                      local_files_only=True).eval()
    tokenizer = AutoTokenizer.from_pretrained(model_path, local_files_only=True)

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    sample = tokenizer(["an example", "a longer example sentence"], padding=True,
                       return_tensors="pt")
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "hidden")}
    with torch.no_grad():
        torch.onnx.export(Encoder(), tuple(sample[k] for k in _INPUTS), str(out),
                          input_names=list(_INPUTS), output_names=["hidden"],
                          dynamic_axes=axes, opset_version=17, dynamo=False)


def _fuse(model_path: str, source: Path, out: Path) -> Path:
    """Fused CPU kernels for BERT-style encoders; other models go unfused."""
    config = json.loads((Path(model_path) / "config.json").read_text(encoding="utf-8"))
    if config.get("model_type") not in ("bert", "roberta", "xlm-roberta", "mpnet"):
        return source
    return fuse_bert(source, out, int(config["num_attention_heads"]), int(config["hidden_size"]))


def fuse_bert(source: Path, out: Path, num_heads: int, hidden_size: int) -> Path:
    """``source`` (a BERT-style encoder graph) with its attention, LayerNorm and
    GELU subgraphs fused into ONNX Runtime's CPU kernels, written to ``out``.

    The residual Adds stay beside their LayerNormalization: ONNX Runtime's CPU
    SkipLayerNormalization (1.32) takes ~7x the time of Add + LayerNormalization
    on the same rows (75 vs 16 us for 27 x 384), a sixth of a query's time
    (docs/performance.md)."""
    from onnxruntime.transformers import optimizer
    from onnxruntime.transformers.fusion_options import FusionOptions

    options = FusionOptions("bert")
    options.enable_skip_layer_norm = options.enable_bias_skip_layer_norm = False
    fused = optimizer.optimize_model(str(source), model_type="bert", num_heads=num_heads,
                                     hidden_size=hidden_size, opt_level=1,
                                     optimization_options=options)
    fused.save_model_to_file(str(out))
    return out


_GELU = ("Gelu", "FastGelu", "BiasGelu")


def quantize_int8(source: Path, out: Path, fp32_layers: Sequence[int] | None = None) -> None:
    """``source`` with int8 weights (dynamic quantization, per channel).  The
    feed-forward output projections stay fp32: all of them, or only those of
    ``fp32_layers`` (layer numbers, in graph order)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    keep = _after_gelu(onnx.load(str(source)))
    if fp32_layers is not None:
        keep = [keep[i] for i in fp32_layers]
    # Weights only: activation x activation products (attention) stay fp32.
    quantize_dynamic(str(source), str(out), weight_type=QuantType.QInt8, per_channel=True,
                     nodes_to_exclude=keep,
                     extra_options={"MatMulConstBOnly": True,
                                    "DefaultTensorType": onnx.TensorProto.FLOAT})


def _after_gelu(model) -> list[str]:
    """The feed-forward output projections (the MatMuls fed by a GELU), kept fp32.

    GELU outputs have heavy outliers, so quantizing their per-batch range to
    8 bits loses the most; keeping these six MatMuls fp32 halves the vectors'
    error at a small cost in speed (docs/performance.md)."""
    gelu_outputs = {o for n in model.graph.node if n.op_type in _GELU for o in n.output}
    return [n.name for n in model.graph.node
            if n.op_type == "MatMul" and n.input and n.input[0] in gelu_outputs]


BATCH_TOKENS = 2048  # padded tokens per ONNX Runtime call


def length_batches(order: np.ndarray, lengths: list[int], most: int) -> list[np.ndarray]:
    """``order`` (ascending length) cut into batches of at most ``most`` texts
    whose padded size stays within `BATCH_TOKENS`."""
    out, start = [], 0
    while start < len(order):
        end = start + 1
        while (end < len(order) and end - start < most
               and (end - start + 1) * lengths[order[end]] <= BATCH_TOKENS):
            end += 1
        out.append(order[start:end])
        start = end
    return out


class OnnxEncoder:
    """Token ids -> pooled, L2-normalised sentence vectors with ONNX Runtime."""

    def __init__(self, onnx_file: Path, tokenizer, max_tokens: int, pooling: str,
                 lower_case: bool = False):
        self.session = session(onnx_file)
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.pooling = pooling
        self.lower_case = lower_case

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Batches are formed from texts of similar token length (less padding),
        at most ``batch_size`` texts and `BATCH_TOKENS` tokens each (long texts
        go in small batches, which run faster here: docs/performance.md)."""
        texts = [t.strip().lower() if self.lower_case else t.strip() for t in texts]
        ids = self.tokenizer(texts, truncation=True,
                             max_length=self.max_tokens, add_special_tokens=True,
                             verbose=False)["input_ids"]
        order = np.argsort([len(x) for x in ids], kind="stable")
        out = np.empty((len(texts), 0), dtype=np.float32)
        for batch in length_batches(order, [len(x) for x in ids], batch_size):
            vectors = self._run([ids[i] for i in batch])
            if out.shape[1] == 0:
                out = np.empty((len(texts), vectors.shape[1]), dtype=np.float32)
            out[batch] = vectors
        return out

    def _run(self, ids: list[list[int]]) -> np.ndarray:
        width = max(len(x) for x in ids)
        input_ids = np.full((len(ids), width), self.tokenizer.pad_token_id or 0, dtype=np.int64)
        mask = np.zeros((len(ids), width), dtype=np.int64)
        for row, x in enumerate(ids):
            input_ids[row, : len(x)] = x
            mask[row, : len(x)] = 1
        hidden = self.session.run(None, {"input_ids": input_ids, "attention_mask": mask,
                                         "token_type_ids": np.zeros_like(input_ids)})[0]
        return l2_normalize(hidden[:, 0] if self.pooling == "cls" else mean_pool(hidden, mask))


def session(onnx_file: Path):
    """An ONNX Runtime CPU session on `threads.count` threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads.count()
    options.log_severity_level = 3
    # Idle worker threads sleep instead of spinning: the cores are shared
    # with the web server's other threads and other processes.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    # Nor is the residual Add fused back into SkipLayerNormalization (`fuse_bert`).
    return ort.InferenceSession(str(onnx_file), options, providers=["CPUExecutionProvider"],
                                disabled_optimizers=["SkipLayerNormFusion"])


def mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The mean of each row's hidden states over its unmasked tokens."""
    weights = mask[..., None].astype(np.float32)
    return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, float32."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
