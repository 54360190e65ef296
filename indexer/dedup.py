"""Recognising the same article arriving twice.

An article is a duplicate of one already kept when it has the same id, the
same canonical URL (scheme, ``www.``, tracking parameters, fragment and
trailing slash ignored), or the same text under another URL, as syndicated
wire stories are: near-identical bodies are found with MinHash locality-
sensitive hashing over word 5-shingles (estimated Jaccard similarity at least
``threshold``), so a story that differs only by a dateline or a credit line
still counts as the same.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from search.article import Article

SHINGLE = 5
PERMUTATIONS = 128
MIN_WORDS = 20  # shorter texts are compared exactly, not by similarity
_WORD = re.compile(r"\w+")


class Deduplicator:
    """Remembers the articles kept so far; `is_duplicate` checks (and remembers) one more."""

    def __init__(self, threshold: float = 0.8):
        from datasketch import MinHashLSH

        self._ids: set[str] = set()
        self._urls: set[str] = set()
        self._texts: set[int] = set()
        self._lsh = MinHashLSH(threshold=threshold, num_perm=PERMUTATIONS)

    def is_duplicate(self, article: Article) -> bool:
        url = canonical_url(article.url) if article.url else ""
        words = _WORD.findall(article.body.casefold()) or _WORD.findall(article.title.casefold())
        exact = hash(" ".join(words))
        if article.id in self._ids or (url and url in self._urls) or (words and exact in self._texts):
            return True
        signature = _minhash(words) if len(words) >= MIN_WORDS else None
        if signature is not None and self._lsh.query(signature):
            return True
        self._ids.add(article.id)
        if url:
            self._urls.add(url)
        if words:
            self._texts.add(exact)
        if signature is not None:
            self._lsh.insert(article.id, signature, check_duplication=False)
        return False


def canonical_url(url: str) -> str:
    """``url`` reduced to what identifies the page (see module doc)."""
    from courlan import normalize_url

    try:
        url = normalize_url(url.strip(), strict=True)
    except ValueError:
        return url.strip()
    parts = urlsplit(url)
    host = (parts.hostname or "").removeprefix("www.")
    return urlunsplit(("", host, parts.path.rstrip("/"), parts.query, ""))


def _minhash(words: list[str]):
    from datasketch import MinHash

    shingles = {" ".join(words[i : i + SHINGLE]).encode("utf-8")
                for i in range(max(1, len(words) - SHINGLE + 1))}
    signature = MinHash(num_perm=PERMUTATIONS)
    signature.update_batch(list(shingles))
    return signature
