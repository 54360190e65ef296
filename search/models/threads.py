"""How many CPU threads one computation may use.

Indexing lets every computation use all cores.  A search should not: its
computations (query embedding, faiss, numpy's BLAS) are small, and a server
handles several requests at once on its worker threads, so 8 requests x N
threads would fight for N cores and OpenMP's spinning threads slow everyone
down.  In process, one query is faster on one thread too (hybrid p50 about a
third lower, keyword more, on 2 busy cores: docs/performance.md).  So opening a
`Searcher` caps the process at ``Settings.request_threads`` (1), in the
Python API as in the server; ONNX Runtime sessions created before keep their
threads, and indexing started afterwards in the same process runs capped.
"""

from __future__ import annotations

import os

_limit: int | None = None


def limit(n: int) -> None:
    """Cap BLAS, OpenMP (numpy, faiss), torch and ONNX Runtime at ``n`` threads."""
    global _limit
    import faiss  # noqa: F401  (load their thread pools so the limit reaches them)
    import numpy  # noqa: F401
    import torch
    from threadpoolctl import threadpool_limits

    _limit = max(1, n)
    threadpool_limits(limits=_limit)
    torch.set_num_threads(_limit)


def count() -> int:
    """Threads a computation may use: the limit, or every core."""
    return _limit or max(1, os.cpu_count() or 1)
