"""Sentence embeddings from a local sentence-transformers model folder.

Three backends: ``"torch"`` runs the fp32 model with sentence-transformers;
``"onnx"`` (the default) runs the same fp32 model exported to ONNX Runtime
(see `search.models.onnx_model`): the same vectors, computed faster on a CPU;
``"onnx-int8"`` runs it with int8 weights, faster still but slightly less
accurate (docs/performance.md).  ``torch`` and ``onnx`` vectors are
interchangeable (one `vector_space`); int8 vectors are not mixed with them.
Nothing is ever downloaded: the hub is switched to offline mode before the
libraries are imported, and the model is loaded from a local path only.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np

from search.config import BACKENDS
from search.models import e5
from search.models.onnx_model import default_cache_dir

if TYPE_CHECKING:
    from search.config import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def vector_space(backend: str) -> str:
    """Backends in one space compute the same vectors (to ~1e-6) and can
    embed queries for each other's indexes (int8: onnx-int8, e5-onnx-int8)."""
    return "int8" if backend.endswith("int8") else "fp32"


class Embedder:
    """Loads the model on first use; thread-safe; vectors are L2-normalised."""

    def __init__(self, model_path: str, batch_size: int = 32, backend: str = "onnx",
                 cache_dir: Path | None = None):
        if backend not in BACKENDS:
            raise ValueError(f"embed_backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.model_path = model_path
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._model = None
        self._onnx = None
        self._lock = threading.Lock()

    def __reduce__(self):
        """A copy (pickled to a Ray actor) is the configuration: it loads the
        same model on first use."""
        return type(self), (self.model_path, self.batch_size, self.backend, self.cache_dir)

    @classmethod
    def for_settings(cls, settings: "Settings", model_path: str | None = None,
                     backend: str | None = None) -> "Embedder":
        """The embedder ``settings`` ask for (model and backend overridable, e.g.
        by what an index was built with); for multilingual-e5-small an
        `E5Embedder` (see `e5_embedder`)."""
        model_path = model_path or settings.resolved_model_path()
        if model_path == e5.NAME:
            return e5_embedder(settings, backend)
        return cls(model_path, settings.embed_batch_size, backend or settings.embed_backend,
                   settings.model_cache_dir or None)

    @property
    def model(self):
        """The sentence-transformers model (the torch backend)."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    _quiet_transformers()
                    self._check_folder()
                    self._model = SentenceTransformer(
                        self.model_path, device="cpu", local_files_only=True
                    )
        return self._model

    @property
    def onnx(self):
        """The ONNX Runtime encoder (fp32 or int8), exported into the cache on first use."""
        if self._onnx is None:
            with self._lock:
                if self._onnx is None:
                    from transformers import AutoTokenizer

                    from search.models.onnx_model import OnnxEncoder, cached_model

                    _quiet_transformers()
                    self._check_folder()
                    tokenizer = AutoTokenizer.from_pretrained(self.model_path,
                                                              local_files_only=True)
                    self._onnx = OnnxEncoder(cached_model(self.model_path, self.cache_dir,
                                                          int8=self.backend == "onnx-int8"),
                                             tokenizer, self.max_tokens, self._pooling(),
                                             self._st_config().get("do_lower_case", False))
        return self._onnx

    @property
    def tokenizer(self):
        return self.model.tokenizer if self.backend == "torch" else self.onnx.tokenizer

    @property
    def dim(self) -> int:
        if self.backend == "torch":
            return int(self.model.get_embedding_dimension())
        pooling = self._folder_json("1_Pooling/config.json")
        if "word_embedding_dimension" in pooling:
            return int(pooling["word_embedding_dimension"])
        return int(self._folder_json("config.json")["hidden_size"])

    @property
    def max_tokens(self) -> int:
        if self.backend == "torch":
            return int(self.model.max_seq_length)
        return int(self._st_config().get("max_seq_length", 256))

    def token_offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character span of every model token of each text (no special tokens)."""
        enc = self.tokenizer(
            list(texts), add_special_tokens=False, return_offsets_mapping=True,
            truncation=False, verbose=False,
        )
        return [list(map(tuple, offsets)) for offsets in enc["offset_mapping"]]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self.backend != "torch":
            return self.onnx.encode(list(texts), self.batch_size)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    # --- the model folder's sentence-transformers configuration -----------------
    def _check_folder(self) -> None:
        if not os.path.isdir(self.model_path):
            raise FileNotFoundError(f"model folder not found: {self.model_path}")

    def _folder_json(self, name: str) -> dict:
        path = Path(self.model_path) / name
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def _st_config(self) -> dict:
        return self._folder_json("sentence_bert_config.json")

    def _pooling(self) -> str:
        config = self._folder_json("1_Pooling/config.json")
        if config.get("pooling_mode_cls_token"):
            return "cls"
        if config.get("pooling_mode_mean_tokens", True):
            return "mean"
        raise ValueError(f"{self.model_path}: only mean or CLS pooling runs on the ONNX "
                         "backend; set embed_backend=torch")


def _quiet_transformers() -> None:
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def e5_embedder(settings: "Settings", backend: str | None = None) -> "e5.E5Embedder":
    """multilingual-e5-small's passage embedder: with ``backend`` if it is an
    e5 backend (an index's), else with ``Settings.e5_backend``."""
    backend = backend if backend in e5.BACKENDS else settings.e5_backend
    return e5.E5Embedder(settings.embed_batch_size, backend, settings.model_cache_dir or None)


def embedders_for(specs, settings: "Settings", main: "Embedder | None" = None,
                  backend: str | None = None) -> list:
    """One embedder per space (`search.models.spaces`): ``main`` (or the configured
    one) for the main model, USE or e5 for the multilingual one.  They embed
    passages; a searcher embeds queries with `for_queries` of each."""
    from search.models.spaces import MAIN
    from search.models.use_encoder import NAME, UseEmbedder

    out = []
    for spec in specs:
        if spec.model == NAME:
            out.append(UseEmbedder(settings.embed_batch_size))
        elif spec.name == MAIN and main is not None:
            out.append(main)
        else:
            out.append(Embedder.for_settings(settings, spec.model, backend))
    return out


def for_queries(embedder):
    """The embedder's query side: e5 embeds queries with ``"query: "``
    (`E5Embedder.for_queries`); the other models embed queries and passages alike."""
    return embedder.for_queries() if hasattr(embedder, "for_queries") else embedder
