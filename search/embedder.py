"""Sentence embeddings from a local sentence-transformers model folder.

Nothing is ever downloaded: the hub is switched to offline mode before the
library is imported, and the model is loaded from a local path only.
"""

from __future__ import annotations

import os
import threading
from typing import Sequence

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class Embedder:
    """Loads the model on first use; thread-safe; vectors are L2-normalised."""

    def __init__(self, model_path: str, batch_size: int = 32):
        self.model_path = model_path
        self.batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer
                    from transformers.utils import logging as hf_logging

                    hf_logging.disable_progress_bar()
                    hf_logging.set_verbosity_error()

                    if not os.path.isdir(self.model_path):
                        raise FileNotFoundError(f"model folder not found: {self.model_path}")
                    self._model = SentenceTransformer(
                        self.model_path, device="cpu", local_files_only=True
                    )
        return self._model

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    def token_offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character span of every model token of each text (no special tokens)."""
        enc = self.model.tokenizer(
            list(texts), add_special_tokens=False, return_offsets_mapping=True,
            truncation=False, verbose=False,
        )
        return [list(map(tuple, offsets)) for offsets in enc["offset_mapping"]]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)
