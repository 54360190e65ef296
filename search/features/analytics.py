"""Search analytics without personal data: what readers search for and click.

One SQLite file (stdlib ``sqlite3``; by default ``analytics.sqlite`` in the
index directory) holds two bounded logs: searches (day, query as typed,
normalised, mode, number of results) and clicks on results (day, query,
article id, position).  Nothing about the reader is stored: no address, no
cookie, no user agent, no time finer than the day.  Each log keeps the
newest `Settings.analytics_max_rows` rows.

    >>> a = Analytics("indexes/default/analytics.sqlite")
    >>> a.stats()["top"][:3]
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

from search.config import Settings
from search.features.pins import normal_query

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200
_SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (id INTEGER PRIMARY KEY, day TEXT NOT NULL,
    query TEXT NOT NULL, mode TEXT NOT NULL, results INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS clicks (id INTEGER PRIMARY KEY, day TEXT NOT NULL,
    query TEXT NOT NULL, article_id TEXT NOT NULL, position INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS searches_query ON searches (query);
"""


class Analytics:
    """The query and click logs; safe to share between threads."""

    def __init__(self, path: Path | str, max_rows: int = 100_000):
        self.path = Path(path)
        self.max_rows = max_rows
        self._conn: sqlite3.Connection | None = None  # opened on first use
        self._lock = threading.Lock()

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            self._conn = db
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def record_search(self, query: str, mode: str, results: int) -> None:
        query = _normal(query)
        if query:
            self._append("searches", "day, query, mode, results", (_today(), query, mode, results))

    def record_click(self, query: str, article_id: str, position: int) -> None:
        query = _normal(query)
        if query and article_id and position >= 1:
            self._append("clicks", "day, query, article_id, position",
                         (_today(), query, article_id[:500], position))

    def _append(self, table: str, columns: str, row: tuple) -> None:
        """Log ``row``; a failure is logged, never the reader's problem."""
        marks = ", ".join("?" * len(row))
        with self._lock:
            try:
                cur = self._db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", row)
                if cur.lastrowid > self.max_rows:  # a range of the primary key: cheap
                    self._db.execute(f"DELETE FROM {table} WHERE id <= ?",
                                     (cur.lastrowid - self.max_rows,))
            except (sqlite3.Error, OSError) as e:
                log.error("cannot write search analytics to %s: %s", self.path, e)

    def stats(self, limit: int = 20) -> dict[str, Any]:
        """Top queries, queries without results and click-through by position."""
        with self._lock:
            q = self._db.execute
            searches = q("SELECT COUNT(*) FROM searches").fetchone()[0]
            clicks = q("SELECT COUNT(*) FROM clicks").fetchone()[0]
            top = q("SELECT query, COUNT(*) AS n, SUM(results = 0) FROM searches GROUP BY query "
                    "ORDER BY n DESC, query LIMIT ?", (limit,)).fetchall()
            zero = q("SELECT query, COUNT(*) AS n FROM searches WHERE results = 0 GROUP BY query "
                     "ORDER BY n DESC, query LIMIT ?", (limit,)).fetchall()
            by_position = q("SELECT position, COUNT(*) FROM clicks GROUP BY position "
                            "ORDER BY position LIMIT ?", (limit,)).fetchall()
        return {
            "searches": searches,
            "clicks": clicks,
            "top": [{"query": t, "searches": n, "zero_results": z} for t, n, z in top],
            "zero_results": [{"query": t, "searches": n} for t, n in zero],
            "click_through": [{"position": p, "clicks": n,
                               "rate": round(n / searches, 4) if searches else 0.0}
                              for p, n in by_position],
        }


def open_analytics(settings: Settings, index_dir: Path | None = None) -> Analytics | None:
    """The analytics `settings` ask for (None: ``analytics_db=off``)."""
    if settings.analytics_db.strip().lower() == "off":
        return None
    path = settings.analytics_db or Path(index_dir or settings.index_dir) / "analytics.sqlite"
    return Analytics(path, settings.analytics_max_rows)


def _normal(query: str) -> str:
    return normal_query(query)[:MAX_QUERY_CHARS]


def _today() -> str:
    return dt.date.today().isoformat()
