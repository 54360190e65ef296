"""Golden comparison of two searchers over the same generation: a real query
set drawn from the index's own articles, and the response fields that must
match (ids, order, scores to 1e-6, totals, facet counts, snippets)."""

from __future__ import annotations

import math
import re

from search.ranking.filters import Filters

SYNTAX = ['"prime minister"', "-president government", "title:police", "election OR vote",
          "NOT war", "police AND arrested", "Путин", "выборы в России", "COVID-19",
          "US - Israel", "science — research", "xqzzv", "the", ""]


def golden_queries(searcher) -> list[str]:
    """Eight queries of every article (its title, lead, pairs and runs of its
    body words, a question, a title word with an exclusion) and syntax the
    parser handles specially."""
    ids = searcher.store.id_table()
    out: list[str] = []
    for _, article in sorted(searcher.store.get(sorted(ids)).items()):
        words = re.findall(r"\w+", article.body)
        title = article.title.split()
        picks = [article.title, " ".join(words[:6]), " ".join(words[10:12]),
                 f"what happened with {' '.join(words[20:23])}", " ".join(words[40:44]),
                 " ".join(words[-3:]), " ".join(title[:2]).lower(),
                 f"{title[-1]} -{words[5]}" if title and len(words) > 5 else ""]
        out += [p for p in picks if p.strip()]
    return list(dict.fromkeys(out + SYNTAX))


FILTERS = [Filters(), Filters(category=("WORLD",))]  # the filtered run: every 4th query


def comparable(response) -> dict:
    """A response's content without timing, scores apart."""
    d = response.to_dict()
    d.pop("took_ms")
    for r in d["results"]:
        r.pop("score")
    return d


def assert_same(expected, got, context: str) -> None:
    assert comparable(got) == comparable(expected), context
    for a, b in zip(expected.hits, got.hits):
        assert math.isclose(a.score, b.score, rel_tol=0, abs_tol=1e-6), (context, a.score, b.score)
