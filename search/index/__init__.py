"""Index: the on-disk format, and reading and writing it.

An index directory holds generations (`layout`), each with an article store
(`store`), a Whoosh keyword index (`keyword`) with its vectorised BM25F
postings (`postings`) and vocabulary (`vocabulary`), faiss passage vectors
per space (`vectors`, `article_vectors`), checksums (`checksums`) checked by
`integrity`, disk-error reporting (`storage`), and the parts a searcher
reads, local or sharded (`parts`).

Imports `search.text`, `search.models` and the core records (`search.article`,
`search.config`, `search.errors`); never ranking, features or serving.
"""
