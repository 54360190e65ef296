"""A server's requests compute on `request_threads` threads each."""

import torch
from threadpoolctl import threadpool_info, threadpool_limits

from search.models import threads


def test_limit_caps_blas_openmp_and_torch():
    before = torch.get_num_threads()
    with threadpool_limits(limits=None):  # restore the pools afterwards
        try:
            threads.limit(1)
            assert threads.count() == 1
            assert torch.get_num_threads() == 1
            pools = threadpool_info()
            assert pools and all(p["num_threads"] == 1 for p in pools)
        finally:
            threads._limit = None
            torch.set_num_threads(before)
