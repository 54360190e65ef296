"""Ranking: how hits are ordered and narrowed.

Semantic ranking over the vector spaces (`semantic`) with its relevance
floor (`floor`) and passage-to-article rollup (`rollup`), hybrid fusion
(`fusion`), the recency boost (`recency`), filters and facets (`filters`,
`facets`) and the collapsing of near-duplicate stories (`duplicates`).

Imports `search.index`, `search.models`, `search.text` and the core records.
"""
