"""A full, read-only or size-limited disk: one readable line, the live index untouched.

Where the tests run as root and tmpfs can be mounted, they use a real small
file system that fills up; the size-limit test (RLIMIT_FSIZE) runs anywhere.
"""

from __future__ import annotations

import errno
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys

import pytest

from indexer.build import build
from indexer.update import update
from newsearch.cli import main
from search import Settings
from search.index.integrity import check
from search.index.layout import IndexDir
from search.index.storage import StorageError, describe, failures
from search.serving.live import LiveSearcher

from .conftest import ROOT, sample_lines


@pytest.fixture()
def small_disk(tmp_path):
    """A function mounting a tmpfs of the given size at a fresh folder."""
    mounted = []

    def mount(size: str, options: str = ""):
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}{options}", "tmpfs",
                               str(point)], capture_output=True, text=True)
        if done.returncode:
            pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); "
                        "test_write_past_a_file_size_limit covers write errors")
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, embedder):
    root = tmp_path_factory.mktemp("disk")
    (root / "a.jsonl").write_text("\n".join(sample_lines(3)) + "\n", encoding="utf-8")
    build([root / "a.jsonl"], Settings(index_dir=root / "index"), progress=False,
          embedder=embedder)
    return root / "index"


def fill(disk, leave: int) -> None:
    """Fill ``disk`` up to ``leave`` free bytes."""
    free = shutil.disk_usage(disk).free - leave
    with open(disk / "filler", "wb") as f:
        f.truncate(0)
        f.write(b"\0" * max(0, free))


def sources(tmp_path, n):
    path = tmp_path / "new.jsonl"
    path.write_text("\n".join(sample_lines(n)) + "\n", encoding="utf-8")
    return path


def assert_untouched(index, embedder):
    assert IndexDir(index).current().name == "gen-000001"
    assert not list(index.glob("*.building"))
    assert check(IndexDir(index).current()).ok
    with LiveSearcher(Settings(index_dir=index), embedder=embedder).searching() as s:
        assert s.article_count == 3 and s.search("Congo Rwanda").hits


def test_disk_filling_up_during_an_update(pristine, small_disk, tmp_path, embedder):
    disk = small_disk("4m")
    index = shutil.copytree(pristine, disk / "index")
    fill(disk, 64 << 10)
    with pytest.raises(StorageError) as e:
        update([sources(tmp_path, 60)], Settings(index_dir=index), progress=False,
               embedder=embedder)
    assert str(e.value) == (f"{index}: No space left on device [ENOSPC] (SQLITE_FULL); "
                            "the live index is unchanged")
    (disk / "filler").unlink()
    assert_untouched(index, embedder)


def test_too_little_room_for_the_vectors_stops_before_embedding(
        pristine, small_disk, tmp_path, embedder, monkeypatch):
    disk = small_disk("4m")
    index = shutil.copytree(pristine, disk / "index")
    fill(disk, 512 << 10)
    embedded = []
    monkeypatch.setattr(embedder, "encode", lambda texts: embedded.append(texts))
    with pytest.raises(StorageError) as e:
        update([sources(tmp_path, 10)], Settings(index_dir=index), progress=False,
               embedder=embedder)
    assert re.fullmatch(
        rf"not enough disk space in {re.escape(str(index))}: the vectors of \d+ passages need "
        r"about 1\.\d MB, \d+\.\d KB free; nothing was changed \(free some space, or index "
        r"into a larger disk with --index-dir\)", str(e.value))
    assert embedded == []
    monkeypatch.undo()
    assert_untouched(index, embedder)


def test_read_only_file_system(pristine, small_disk, tmp_path, embedder, capsys):
    disk = small_disk("4m")
    index = shutil.copytree(pristine, disk / "index")
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    assert main(["delete", "some-id", "--index-dir", str(index)]) == 1
    assert capsys.readouterr().err == (
        f"newsearch: {index}/LOCK: Read-only file system [EROFS]; the live index is unchanged\n")
    assert_untouched(index, embedder)


def test_write_past_a_file_size_limit(pristine, tmp_path, embedder):
    """A write error from the kernel (EFBIG past RLIMIT_FSIZE) in a real
    `newsearch index` run: one line, exit status 1, live index untouched.
    The article store is the first file to grow past the limit, and SQLite
    reports a failed write as an I/O error."""
    index = shutil.copytree(pristine, tmp_path / "index")

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (48 << 10, 48 << 10))

    done = subprocess.run(
        [sys.executable, "-m", "newsearch", "index", str(sources(tmp_path, 40)),
         "--index-dir", str(index), "--no-progress"],
        cwd=ROOT, capture_output=True, text=True, preexec_fn=limit, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1
    assert done.stderr == (f"newsearch: {index}: Input/output error [EIO] (SQLITE_IOERR_WRITE); "
                           "the live index is unchanged\n")
    assert_untouched(index, embedder)


@pytest.mark.parametrize("error, line", [
    (OSError(errno.EIO, "Input/output error"), "/x: Input/output error [EIO]; live kept"),
    (RuntimeError("Error in void faiss::write_index(const Index*, IOWriter*, int) at "
                  "/project/faiss/impl/index_write.cpp:499: Error: 'ret == (size * 4)' failed: "
                  "write error in /x/vectors.faiss: 65454 != 307200 (No space left on device)"),
     "/x/vectors.faiss: No space left on device; live kept"),
    (sqlite3.OperationalError("database or disk is full"), None),
])
def test_failures_name_the_path_and_the_cause(error, line):
    if isinstance(error, sqlite3.Error):
        error.sqlite_errorname = "SQLITE_FULL"
        line = "/x: No space left on device [ENOSPC] (SQLITE_FULL); live kept"
    with pytest.raises(StorageError) as e:
        with failures("/x", "live kept"):
            raise error
    assert str(e.value) == line
    assert describe(error, with_path=False) == line.split(": ", 1)[1].removesuffix("; live kept")
