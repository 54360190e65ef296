"""`python -m bench` lists every benchmark with what it measures and how to run it."""

from __future__ import annotations

import subprocess
import sys

from .conftest import ROOT


def test_the_listing_names_every_benchmark_and_its_command():
    out = subprocess.run([sys.executable, "-m", "bench"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    benchmarks, helpers = out.split("Helpers they share:")
    for name in ("run", "concurrent", "quality", "keyword_scoring", "extraction_f1", "load", "soak"):
        assert f"\n  {name}\n" in benchmarks
    assert "-m bench.run --articles" in benchmarks
    for name in ("corpus", "queries", "txtai_server"):
        assert f"  {name}: " in helpers
    assert "make_page_fixtures" not in out  # test fixtures are made with the tests
