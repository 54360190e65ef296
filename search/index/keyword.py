"""The Whoosh keyword index: schema, writing, query parsing and BM25F search."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import timezone
from math import log
from pathlib import Path

import numpy as np
from whoosh import index, qparser, scoring
from whoosh import query as wq
from whoosh.fields import DATETIME, ID, NUMERIC, STORED, TEXT, Schema
from whoosh.searching import Searcher

from search.article import Article
from search.index.postings import FastBM25F, write_postings
from search.text import romanize
from search.text.analysis import language, news_analyzer, terms
from search.text.syntax import lift_negations


def schema() -> Schema:
    analyzer = news_analyzer()
    return Schema(
        # A column too, so matches map to article ordinals without stored-field reads.
        ord=NUMERIC(int, bits=64, stored=True, unique=True, sortable=True),
        id=ID(stored=True, unique=True),
        # spelling=True keeps the unstemmed words (field "spell_<name>") for
        # "did you mean" and autocompletion.
        title=TEXT(analyzer=analyzer, stored=True, spelling=True),
        body=TEXT(analyzer=analyzer, spelling=True),
        # Words in other scripts, romanized: names across scripts (`search.text.romanize`).
        latin=TEXT(analyzer=romanize.romanized_analyzer()),
        url=STORED(),
        published=DATETIME(stored=True, sortable=True),
        author=ID(stored=True),
        category=ID(stored=True),
        lang=ID(stored=True),
    )


class KeywordWriter:
    """Builds a fresh keyword index in ``path``, or (``existing=True``) changes
    the one there."""

    def __init__(self, path: Path, existing: bool = False):
        path.mkdir(parents=True, exist_ok=True)
        self._index = index.open_dir(str(path)) if existing else index.create_in(str(path), schema())
        # Segments stay separate files: Whoosh reads a compound segment file
        # through an in-memory copy of each part, made again for every
        # searcher (one per serving thread: ~470 MB each at 100k articles).
        self._writer = self._index.writer(limitmb=256, compound=False)

    def delete(self, article_id: str) -> None:
        self._writer.delete_by_term("id", article_id)

    def add(self, ord_: int, article: Article) -> None:
        add_document(self._writer, ord_, article)

    def commit(self) -> None:
        self._writer.commit()
        write_postings(self._index)

    def cancel(self) -> None:
        self._writer.cancel()


def add_document(writer, ord_: int, article: Article) -> None:
    """Add ``article`` as document ``ord_`` to a Whoosh writer."""
    published = article.published
    with language(article.lang):  # its words are stemmed as its language says
        writer.add_document(
            ord=ord_,
            id=article.id,
            title=article.title,
            body=article.body,
            latin=romanize.other_script_words(f"{article.title}\n{article.body}"),
            url=article.url,
            published=published.astimezone(timezone.utc).replace(tzinfo=None)
            if published
            else None,
            author=article.author or None,
            category=article.category or None,
            lang=article.lang or None,
        )


class KeywordIndex:
    """BM25F search over title and body (title weighted); thread-safe.

    Queries are scored by `FastBM25F` over the segments' postings arrays when
    it can take them, by Whoosh otherwise; both give the same results."""

    def __init__(self, path: Path, k1: float, b: float, title_boost: float, fast: bool = True,
                 term_cache_mb: int = 0, in_memory: dict | None = None,
                 romanized_boost: float = 0.0):
        """``term_cache_mb``: room for recently searched words' scores (`FastBM25F`);
        ``romanized_boost``: the weight of the ``latin`` field (`QueryParser`);
        ``path`` may also be an open Whoosh index (an in-memory one: `search.index.delta`,
        whose `FastBM25F` arrays are built in memory and kept in ``in_memory``)."""
        self._index = path if hasattr(path, "searcher") else index.open_dir(str(path))
        self._weighting = scoring.BM25F(K1=k1, B=b)
        self.parser = QueryParser(self._index.schema, title_boost, romanized_boost)
        self._local = threading.local()
        self._opened: list = []  # every thread's searcher, closed by `close`
        self._opened_lock = threading.Lock()
        if not fast:
            self._fast = None
        elif in_memory is not None:
            self._fast = FastBM25F(self._index, self._weighting, term_cache_mb << 20, in_memory)
        else:
            self._fast = FastBM25F.open(self._index, self._weighting, term_cache_mb << 20)

    def segment_ids(self) -> set[str]:
        """The Whoosh segments `FastBM25F` scores (empty without it)."""
        return {segid for segid, _, _ in self._fast.segments} if self._fast is not None else set()

    def _searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self._index.searcher(weighting=self._weighting)
            with self._opened_lock:
                self._opened.append(s)
        return s

    def parse(self, text: str) -> wq.Query:
        return self.parser.parse(text)

    def search(self, q: wq.Query, limit: int, allow: np.ndarray | None = None,
               stats: "TermStats | None" = None) -> tuple[list[tuple[int, float]], int]:
        """(ordinal, score) of the best ``limit`` matches, and the match count;
        ties go to the lower ordinal.

        ``allow`` (a boolean mask over article ordinals) keeps only the
        articles it marks.  ``stats``: the collection statistics BM25 uses
        (a sharded index's global ones, `term_stats` summed); this index's
        own if None."""
        if q is wq.NullQuery or limit <= 0:
            return [], 0
        searcher = self._searcher()
        weighting = self._weighting_for(stats)
        if self._fast is not None:
            found = self._fast.search(searcher, q, limit, allow, weighting)
            if found is not None:
                return found
        only = None
        if allow is not None:
            only = set(np.flatnonzero(allow[self._doc_ords(searcher)]).tolist())
            if not only:  # Whoosh reads an empty filter as "no filter"
                return [], 0
        if stats is not None:
            searcher = Searcher(searcher.reader(), weighting=weighting, closereader=False)
        results = searcher.search(q, limit=limit, filter=only)
        hits = sorted(((hit["ord"], float(hit.score)) for hit in results), key=_best_first)
        total = len(results) if results.has_exact_length() else results.estimated_min_length()
        return hits, max(total, len(hits))

    def _weighting_for(self, stats: "TermStats | None") -> scoring.BM25F:
        """This index's weighting, or one with the global ``stats`` (the same
        object for the same stats in a thread: `FastBM25F` then evaluates a
        query once for its matches and its best)."""
        if stats is None:
            return self._weighting
        last = getattr(self._local, "weighting", None)
        if last is None or last[0] is not stats:
            last = self._local.weighting = (stats, GlobalBM25F(stats, self._weighting))
        return last[1]

    def term_stats(self, terms: list[tuple[str, bytes]]) -> "TermStats":
        """This index's share of the BM25 statistics of ``terms`` ((field, bytes) pairs),
        read through this thread's searcher (opening a reader costs milliseconds)."""
        reader = self.reader()
        return TermStats(reader.doc_count_all(),
                         {f: reader.field_length(f) for f in self.parser.scored},
                         {t: reader.doc_frequency(*t) for t in terms})

    def matching(self, q: wq.Query, stats: "TermStats | None" = None) -> np.ndarray:
        """Ordinals of every article matching ``q`` (unscored); ``stats``: those
        the search of ``q`` will use, so that one evaluation serves both."""
        if q is wq.NullQuery:
            return np.zeros(0, dtype=np.int64)
        searcher = self._searcher()
        if self._fast is not None:
            found = self._fast.matching(searcher, q, self._weighting_for(stats))
            if found is not None:
                return found
        docnums = np.fromiter(q.docs(searcher), dtype=np.int64)
        return self._doc_ords(searcher)[docnums]

    def titles(self, q: wq.Query, limit: int) -> list[tuple[str, str]]:
        """(id, title) of the best ``limit`` matches of ``q``."""
        results = self._searcher().search(q, limit=limit)
        return [(hit["id"], hit["title"]) for hit in results]

    def reader(self):
        """This thread's Whoosh index reader (for spelling and term lookups)."""
        return self._searcher().reader()

    def _doc_ords(self, searcher) -> np.ndarray:
        """Article ordinal of every Whoosh document number of ``searcher``."""
        cached = getattr(self._local, "doc_ords", None)
        if cached is None or cached[0] is not searcher:
            reader = searcher.reader()
            if reader.has_column("ord"):
                values = list(reader.column_reader("ord"))
            else:  # an index written before the column existed
                values = [reader.stored_fields(d).get("ord", -1) for d in range(reader.doc_count_all())]
            cached = self._local.doc_ords = (searcher, np.asarray(values, dtype=np.int64))
        return cached[1]

    def doc_count(self) -> int:
        return self._index.doc_count()

    def ids(self) -> set[str]:
        """The id of every indexed article."""
        with self._index.reader() as reader:
            return {fields["id"] for _, fields in reader.iter_docs()}

    def close(self) -> None:
        with self._opened_lock:
            opened, self._opened = self._opened, []
        for s in opened:
            s.close()
        self._index.close()


class QueryParser:
    """Reads query text into a Whoosh query over title and body (title
    weighted); needs only the schema, not an index.

    With ``romanized_boost`` > 0 (and an index that has the field), the Latin
    words of a query without syntax also look for the romanized words of
    articles in other scripts (`search.text.romanize`), with that weight."""

    def __init__(self, schema_: Schema, title_boost: float, romanized_boost: float = 0.0):
        self._schema = schema_
        self._parser = _parser(schema_, title_boost)
        self._fields = (("title", title_boost), ("body", 1.0))
        self._romanized = romanized_boost if romanize.FIELD in schema_ else 0.0
        self.scored = [name for name, _ in self._fields] + [romanize.FIELD] * (self._romanized > 0)

    def parse(self, text: str) -> wq.Query:
        """The query for ``text``; broken syntax, or a value its field cannot
        hold (``published:""``), falls back to its plain words."""
        plain = self._plain(text)
        if plain is not None:
            return self._with_names(plain, text)
        try:
            q = self._parser.parse(text)
            for field, term in q.all_terms(phrases=True):
                if field in self._schema and isinstance(term, str):
                    self._schema[field].to_bytes(term)  # raises on such values
        except Exception:  # whoosh raises assorted errors on odd syntax
            try:  # lower case: operator words (AND, NOT...) become plain words
                q = self._parser.parse(" ".join(_words(text)).lower())
            except Exception:
                return wq.NullQuery
        return lift_negations(q)

    def _plain(self, text: str) -> wq.Query | None:
        """The parser's query for text without any syntax, built directly
        (Whoosh's parser takes milliseconds for a sentence); None for text
        with syntax."""
        words = text.split()
        if _SYNTAX.search(text) or any(_SIGNED.match(w) or w in _OPERATORS for w in words):
            return None
        return wq.Or([wq.Term(field, term, boost=boost)
                      for word in words
                      for field, boost in self._fields
                      for term in terms(word)]).normalize()

    def _with_names(self, q: wq.Query, text: str) -> wq.Query:
        """``q`` (a plain query's) also looking for its Latin words among the
        romanized words of articles in other scripts (`search.text.romanize`)."""
        names = [wq.Term(romanize.FIELD, key, boost=self._romanized)
                 for key in dict.fromkeys(romanize.query_terms(text))] if self._romanized else []
        if not names:
            return q
        parts = list(q.subqueries) if isinstance(q, wq.Or) else [] if q is wq.NullQuery else [q]
        return wq.Or(parts + names).normalize()

    def scored_terms(self, q: wq.Query) -> list[tuple[str, bytes]]:
        """The (field, bytes) terms of ``q`` that BM25 scores, for `TermStats`."""
        out = set()
        for field, text in q.all_terms(phrases=True):
            if field in self.scored:
                try:
                    out.add((field, self._schema[field].to_bytes(text)))
                except ValueError:
                    pass
        return sorted(out)


@dataclass
class TermStats:
    """What BM25 needs of a collection for some terms: its document count
    (deleted included, as Whoosh counts), each scored field's total length
    and each term's document frequency.  Shards' statistics add up to the
    whole collection's (`merged`)."""

    doc_count_all: int
    field_length: dict[str, int]
    doc_frequency: dict[tuple[str, bytes], int]

    @classmethod
    def merged(cls, parts: list["TermStats"]) -> "TermStats":
        fields = {f for p in parts for f in p.field_length}
        terms = {t for p in parts for t in p.doc_frequency}
        return cls(sum(p.doc_count_all for p in parts),
                   {f: sum(p.field_length.get(f, 0) for p in parts) for f in fields},
                   {t: sum(p.doc_frequency.get(t, 0) for p in parts) for t in terms})


class GlobalBM25F(scoring.BM25F):
    """Whoosh's BM25F with idf and average field length taken from `TermStats`
    (with Whoosh's own formulas), not from the searcher's index."""

    def __init__(self, stats: TermStats, like: scoring.BM25F):
        super().__init__(B=like.B, K1=like.K1)
        self._field_B = dict(like._field_B)
        self.stats = stats

    def idf(self, searcher, fieldname, text):
        n = self.stats.doc_frequency.get((fieldname, text), 0)
        return log(self.stats.doc_count_all / (n + 1)) + 1

    def term_params(self, fieldname, text) -> tuple[float, float, float, float]:
        """What a scored field's term scores depend on besides its postings:
        (idf, average field length, B, K1) (`FastBM25F` caches scores by them)."""
        avgfl = self.stats.field_length.get(fieldname, 0) / (self.stats.doc_count_all or 1)
        return (self.idf(None, fieldname, text), avgfl or 1,
                self._field_B.get(fieldname, self.B), self.K1)

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return super().scorer(searcher, fieldname, text, qf)
        idf, avgfl, b, k1 = self.term_params(fieldname, text)
        return _GlobalScorer(searcher, fieldname, text, b, k1, qf, idf, avgfl)


class _GlobalScorer(scoring.BM25FScorer):
    def __init__(self, searcher, fieldname, text, B, K1, qf, idf: float, avgfl: float):
        self.idf, self.avgfl, self.B, self.K1, self.qf = idf, avgfl, B, K1, qf
        self.setup(searcher, fieldname, text)  # block-max bounds from these statistics


def _best_first(hit: tuple[int, float]) -> tuple[float, int]:
    return -hit[1], hit[0]


def positive_terms(q: wq.Query, fields: tuple[str, ...] = ("title", "body")) -> set[str]:
    """Analysed words the query looks for in ``fields`` (negated ones left out);
    ``(romanize.FIELD,)``: the romanized names it looks for (highlighting)."""
    if isinstance(q, wq.Not):
        return set()
    if q.is_leaf():
        return {text if isinstance(text, str) else text.decode("utf-8")
                for field, text in q.terms(phrases=True) if field in fields}
    out: set[str] = set()
    for child in q.children():
        out |= positive_terms(child, fields)
    return out


_SYNTAX = re.compile(r"['\"():\\]")  # quotes, groups, fields (+/- and operators: per word)
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_WORD_START = r"(?<![^\s(])"  # at the start of the text, after a space or "("
# "+" or "-" attached to what follows: " - " between words is punctuation
# ("Japan - Trade Surplus Widens"), not an exclusion.
_ATTACHED = r"(?=[\w\"(])"
_SIGNED = re.compile(r"[+-]" + _ATTACHED)


def _parser(schema_: Schema, title_boost: float) -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        ["title", "body"], schema_, fieldboosts={"title": title_boost}, group=qparser.OrGroup
    )
    for plugin in (qparser.WildcardPlugin, qparser.RangePlugin, qparser.EveryPlugin,
                   qparser.BoostPlugin):
        parser.remove_plugin_class(plugin)
    # "+word" and "-word" only at the start of a word: "COVID-19" or
    # "anti-war" are words, not exclusions.
    parser.add_plugin(qparser.PlusMinusPlugin(plusexpr=_WORD_START + r"\+" + _ATTACHED,
                                              minusexpr=_WORD_START + "-" + _ATTACHED))
    return parser


def _words(text: str) -> list[str]:
    return ["".join(ch for ch in w if ch.isalnum()) for w in text.split()]
