"""How many CPU threads one computation may use.

A library caller (indexing, evaluation, the benchmark) lets every computation
use all cores.  A server handles several requests at once on its worker
threads, so each request's computations (query embedding, faiss, numpy's BLAS)
should use one thread: otherwise 8 requests x N threads fight for N cores and
OpenMP's spinning threads slow everyone down.
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
