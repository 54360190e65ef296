"""The article store: every article's fields and its passages, in SQLite.

Each article gets an ordinal (``ord``), the key the keyword index stores and
every passage points back to.  A passage is a character span of the body; its
row id is its row in the vector index.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from search.article import Article

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    ord INTEGER PRIMARY KEY,
    id TEXT UNIQUE NOT NULL,
    url TEXT, title TEXT, body TEXT, published TEXT,
    author TEXT, category TEXT, lang TEXT, source TEXT, extra TEXT
);
CREATE TABLE IF NOT EXISTS passages (
    pid INTEGER PRIMARY KEY,
    ord INTEGER NOT NULL REFERENCES articles(ord),
    start INTEGER NOT NULL,
    end INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_by_article ON passages(ord);
"""

_COLUMNS = "ord, id, url, title, body, published, author, category, lang, source, extra"


@dataclass(frozen=True)
class Passage:
    pid: int
    ord: int
    start: int
    end: int


class ArticleStore:
    """Reads (and, opened with ``writable=True``, writes) ``articles.sqlite``."""

    def __init__(self, path: Path, writable: bool = False):
        self.path = Path(path)
        if writable:
            self._db = sqlite3.connect(self.path)
            self._db.executescript(SCHEMA)
        else:
            uri = f"file:{self.path}?mode=ro"
            self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._lock = threading.Lock()

    def close(self) -> None:
        self._db.close()

    # --- writing ---------------------------------------------------------
    def add(self, article: Article, ord_: int | None = None) -> int:
        """Store ``article`` and return its ordinal (``ord_`` if given: a
        merged write-ahead log's, `indexer.merge`)."""
        cur = self._db.execute(
            "INSERT INTO articles (ord, id, url, title, body, published, author, category,"
            " lang, source, extra) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (ord_, *_row(article)),
        )
        return int(cur.lastrowid)

    def replace(self, ord_: int, article: Article) -> list[int]:
        """Overwrite article ``ord_`` (same ordinal) and drop its passages;
        returns the dropped passage ids."""
        self._db.execute(
            "UPDATE articles SET id=?, url=?, title=?, body=?, published=?, author=?,"
            " category=?, lang=?, source=?, extra=? WHERE ord=?",
            (*_row(article), ord_),
        )
        return self._drop_passages(ord_)

    def delete(self, ord_: int) -> list[int]:
        """Remove article ``ord_`` and its passages; returns the passage ids."""
        pids = self._drop_passages(ord_)
        self._db.execute("DELETE FROM articles WHERE ord = ?", (ord_,))
        return pids

    def _drop_passages(self, ord_: int) -> list[int]:
        pids = [r[0] for r in self._db.execute("SELECT pid FROM passages WHERE ord = ?", (ord_,))]
        self._db.execute("DELETE FROM passages WHERE ord = ?", (ord_,))
        return pids

    def add_passages(self, ord_: int, spans: Iterable[tuple[int, int]],
                     first_pid: int | None = None) -> None:
        """Store an article's passages (numbered from ``first_pid`` if given)."""
        rows = [(None if first_pid is None else first_pid + i, ord_, s, e)
                for i, (s, e) in enumerate(spans)]
        self._db.executemany("INSERT INTO passages (pid, ord, start, end) VALUES (?,?,?,?)", rows)

    def commit(self) -> None:
        self._db.commit()

    def copy_to(self, path: Path) -> None:
        """A consistent copy of the whole database at ``path`` (SQLite backup API)."""
        target = sqlite3.connect(path)
        try:
            with self._lock:
                self._db.backup(target)
        finally:
            target.close()

    # --- reading ---------------------------------------------------------
    def count(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    def passage_count(self, ords: Iterable[int] | None = None) -> int:
        """Passages of all articles, or of the articles ``ords``."""
        with self._lock:
            if ords is None:
                return self._db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
            counts = dict(self._db.execute("SELECT ord, COUNT(*) FROM passages GROUP BY ord"))
        return sum(counts.get(o, 0) for o in ords)

    def ids(self) -> set[str]:
        """The id of every stored article."""
        with self._lock:
            return {r[0] for r in self._db.execute("SELECT id FROM articles")}

    def id_table(self) -> dict[int, str]:
        """Article id by ordinal."""
        with self._lock:
            return dict(self._db.execute("SELECT ord, id FROM articles"))

    def has_id(self, article_id: str) -> bool:
        with self._lock:
            row = self._db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,))
            return row.fetchone() is not None

    def get(self, ords: list[int]) -> dict[int, Article]:
        """Articles by ordinal (missing ordinals are left out)."""
        if not ords:
            return {}
        marks = ",".join("?" * len(ords))
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE ord IN ({marks})", ords
            ).fetchall()
        return {row[0]: _article(row) for row in rows}

    def get_by_id(self, article_id: str) -> tuple[int, Article] | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)
            ).fetchone()
        return (row[0], _article(row)) if row else None

    def facts(self) -> list[tuple[int, str, str, str, str | None]]:
        """(ord, category, author, lang, published) of every article (see `search.ranking.facets`)."""
        with self._lock:
            return self._db.execute(
                "SELECT ord, category, author, lang, published FROM articles"
            ).fetchall()

    def passages(self, ord_: int) -> list[Passage]:
        return self.passages_of([ord_]).get(ord_, [])

    def passages_of(self, ords: list[int]) -> dict[int, list[Passage]]:
        """The passages of each of the articles ``ords`` that has any, in pid order."""
        if not ords:
            return {}
        marks = ",".join("?" * len(ords))
        with self._lock:
            rows = self._db.execute(
                f"SELECT pid, ord, start, end FROM passages WHERE ord IN ({marks}) ORDER BY pid",
                list(ords),
            ).fetchall()
        out: dict[int, list[Passage]] = {}
        for row in rows:
            out.setdefault(row[1], []).append(Passage(*row))
        return out

    def passage_articles(self) -> np.ndarray:
        """Article ordinal of every passage, indexed by passage id (-1: none)."""
        with self._lock:
            rows = self._db.execute("SELECT pid, ord FROM passages").fetchall()
        table = np.full(max((r[0] for r in rows), default=0) + 1, -1, dtype=np.int64)
        if rows:
            pairs = np.asarray(rows, dtype=np.int64)
            table[pairs[:, 0]] = pairs[:, 1]
        return table

    def iter_passage_texts(self, embed_title: bool,
                           ords: Iterable[int] | None = None) -> Iterator[tuple[int, str]]:
        """(pid, text to embed) for every passage (or those of articles
        ``ords``), in pid order."""
        if ords is None:
            cur = self._db.execute(
                "SELECT p.pid, p.start, p.end, a.title, a.body FROM passages p"
                " JOIN articles a ON a.ord = p.ord ORDER BY p.pid"
            )
        else:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (ord INTEGER PRIMARY KEY)")
            self._db.execute("DELETE FROM wanted")
            self._db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((o,) for o in ords))
            cur = self._db.execute(
                "SELECT p.pid, p.start, p.end, a.title, a.body FROM passages p"
                " JOIN articles a ON a.ord = p.ord JOIN wanted w ON w.ord = p.ord ORDER BY p.pid"
            )
        for pid, start, end, title, body in cur:
            yield pid, passage_text(title, body[start:end], embed_title)


def passage_text(title: str, passage: str, embed_title: bool) -> str:
    """What the model embeds for a passage: the title gives it context."""
    if embed_title and title:
        return f"{title}. {passage}" if passage else title
    return passage or title


def _row(article: Article) -> tuple:
    return (
        article.id, article.url, article.title, article.body,
        article.published.isoformat() if article.published else None,
        article.author, article.category, article.lang, article.source,
        json.dumps(article.extra, ensure_ascii=False),
    )


def _article(row: tuple) -> Article:
    _, id_, url, title, body, published, author, category, lang, source, extra = row
    return Article.from_dict(
        {
            "id": id_, "url": url, "title": title, "body": body, "published": published,
            "author": author, "category": category, "lang": lang, "source": source,
            "extra": json.loads(extra) if extra else {},
        }
    )
