"""`kill -9` at any point of indexing leaves the served index intact, and the
next run cleans up and succeeds.  Real `newsearch` subprocesses are killed with
SIGKILL: at exact points (the process kills itself when it reaches them) and
from outside while an update is running."""

import json
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from indexer.build import build
from indexer.update import update
from search import Searcher, Settings
from search.index.layout import IndexDir

from .conftest import sample_lines

# Runs `newsearch ARGS...` and SIGKILLs itself at the point named by argv[1].
KILLER = textwrap.dedent("""
    import os, signal, sys
    import indexer.update, search.index.layout, search.index.store, search.index.vectors

    def die(*a, **k):
        os.kill(os.getpid(), signal.SIGKILL)

    def after(obj, name, when=lambda *a, **k: True):
        original = getattr(obj, name)
        def wrapper(*a, **k):
            result = original(*a, **k)
            if when(*a, **k):
                die()
            return result
        setattr(obj, name, wrapper)

    point = sys.argv[1]
    calls = []
    if point == "reading":  # third article stored
        after(search.index.store.ArticleStore, "add", lambda *a: calls.append(1) or len(calls) == 3)
    elif point == "cloned":  # update: live generation copied, nothing changed yet
        after(indexer.update, "_clone")
    elif point == "vectors-written":
        after(search.index.vectors.VectorIndex, "save")
    elif point == "renamed":  # build complete and renamed, CURRENT not yet switched
        real_replace = os.replace
        os.replace = lambda src, dst: die() if str(dst).endswith("CURRENT") else real_replace(src, dst)
    elif point == "published":  # CURRENT switched, old generations not yet pruned
        search.index.layout.IndexDir._prune = die
    from newsearch.cli import main
    sys.exit(main(sys.argv[2:]))
""")

OLD, NEW = 4, 7  # articles in the live index, and in the sources of the killed run


def records(n):
    return [json.loads(line) for line in sample_lines(n)]


def write(path, items):
    path.write_text("".join(json.dumps(r) + "\n" for r in items), encoding="utf-8")
    return path


def served(settings, embedder):
    """The articles the live index serves (checking it opens and answers in every mode)."""
    searcher = Searcher.open(settings.index_dir, settings, embedder=embedder)
    try:
        for mode in ("keyword", "semantic", "hybrid"):
            assert searcher.search("president", mode=mode).hits is not None
        return searcher.store.ids()
    finally:
        searcher.close()


def assert_clean(settings):
    names = sorted(p.name for p in settings.index_dir.iterdir())
    live = IndexDir(settings.index_dir).current().name
    assert not [n for n in names if n.endswith((".building", ".tmp"))], names
    assert all(n <= live for n in names if n.startswith("gen-")), names


@pytest.fixture()
def live_index(tmp_path, embedder):
    settings = Settings(index_dir=tmp_path / "index")
    build([write(tmp_path / "old.jsonl", records(OLD))], settings, progress=False,
          embedder=embedder)
    return settings, write(tmp_path / "new.jsonl", records(NEW))


@pytest.mark.parametrize("command,point", [
    ("rebuild", "reading"), ("update", "cloned"),
    ("update", "vectors-written"), ("rebuild", "renamed"), ("update", "published"),
])
def test_sigkill_at_a_point_of_indexing(live_index, embedder, command, point):
    settings, new = live_index
    before = served(settings, embedder)
    args = ["index", str(new), "--index-dir", str(settings.index_dir), "--no-progress"]
    if command == "rebuild":
        args.append("--rebuild")
    result = subprocess.run([sys.executable, "-c", KILLER, point, *args], capture_output=True,
                            text=True, timeout=600)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]

    after_kill = served(settings, embedder)  # the live index still opens and answers
    if point == "published":
        assert len(after_kill) == NEW  # the switch had happened: the new index is whole
    else:
        assert after_kill == before  # the switch had not: the old index is untouched

    # The next run recovers: leftovers removed, and the work done.
    summary = update([new], settings, progress=False, embedder=embedder)
    assert summary.generation == IndexDir(settings.index_dir).current().name
    assert len(served(settings, embedder)) == NEW
    assert_clean(settings)


def test_sigkill_from_outside_during_an_update(live_index, embedder):
    settings, new = live_index
    before = served(settings, embedder)
    proc = subprocess.Popen([sys.executable, "-m", "newsearch", "index", str(new), "--index-dir",
                             str(settings.index_dir), "--no-progress"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not list(settings.index_dir.glob("*.building/keyword")):
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        proc.kill()
    assert served(settings, embedder) == before
    assert list(settings.index_dir.glob("*.building"))  # it really died mid-way

    update([new], settings, progress=False, embedder=embedder)
    assert len(served(settings, embedder)) == NEW
    assert_clean(settings)


def test_two_writers_the_second_is_refused_with_a_clear_message(live_index, tmp_path):
    settings, new = live_index
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from search.index.layout import IndexDir
            with IndexDir({str(settings.index_dir)!r}).writer_lock():
                print("locked", flush=True)
                time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = subprocess.run([sys.executable, "-m", "newsearch", "delete", "x", "--index-dir",
                                 str(settings.index_dir)], capture_output=True, text=True,
                                timeout=120)
        assert result.returncode == 1
        assert (f"another newsearch process (pid {holder.pid}) is writing {settings.index_dir}"
                in result.stderr)
        holder.send_signal(signal.SIGKILL)  # a killed writer's lock goes with it
        holder.wait(timeout=30)
        result = subprocess.run([sys.executable, "-m", "newsearch", "delete", "x", "--index-dir",
                                 str(settings.index_dir)], capture_output=True, text=True,
                                timeout=120)
        assert "no such article: x" in result.stderr
    finally:
        holder.kill()
