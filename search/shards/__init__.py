"""Shards: one index split over several processes or machines.

`shard` splits a generation into shards and answers a shard's part of a
query as plain data; `sharded` presents remote shards as the index parts a
`Searcher` reads, with global BM25 statistics.

Imports `search.index`, `search.models` and the core records.
"""
