"""Checking an index generation: its files, their checksums, and its counts.

`check` verifies a generation against its manifest: every file it lists is
there, readable and of the recorded size, and (``checksums=True``) has the
recorded SHA-256 (`search.index.checksums`); then that the article store, the
keyword index and each space's vectors hold as many articles, passages and
vectors as the manifest says and as each other imply.  Each problem is one
line naming the file and what is wrong.  ``newsearch check`` prints the
report; `search.serving.live.LiveSearcher` refuses to serve a generation that fails
it (`IndexDamaged`) and falls back to the newest one that passes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from search.index import checksums
from search.index.layout import Generation, IndexFormatError, IndexNotFound
from search.index.storage import describe
from search.models.spaces import SpaceSpec

READ_PROBE = 4096  # bytes read from each file when checksums are not verified


class IndexDamaged(IndexNotFound):
    """A generation failed its check; ``report`` says why."""

    def __init__(self, report: "CheckReport"):
        super().__init__(report.summary())
        self.report = report


@dataclass
class CheckReport:
    generation: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    checksums: bool = True
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        """One line: the first problem, and how many more."""
        if self.ok:
            return f"{self.generation} is sound"
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
        return f"{self.generation} is damaged: {self.problems[0]}{tail}"

    def text(self) -> str:
        """The full report, as ``newsearch check`` prints it."""
        how = "sizes and checksums" if self.checksums else "sizes"
        lines = [f"{self.generation}: {self.files} files, {self.bytes:,} bytes, "
                 f"{how} checked in {self.seconds:.2f}s"]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  DAMAGED {p}" for p in self.problems]
        lines.append(f"{self.generation}: " + ("OK" if self.ok else
                     f"{len(self.problems)} problem{'s' * (len(self.problems) > 1)}"))
        return "\n".join(lines)


def check(gen: Generation, checksums: bool = True) -> CheckReport:
    """Verify ``gen``: files (sizes, readability, and checksums if asked), then counts."""
    started = time.perf_counter()
    report = CheckReport(gen.name, checksums=checksums)
    manifest = _manifest(gen, report)
    if manifest is not None:
        _files(gen, manifest, report, checksums)
        if report.ok:
            _counts(gen, manifest, report)
    report.seconds = time.perf_counter() - started
    return report


def require_sound(gen: Generation, checksums: bool = True) -> CheckReport:
    """The report of a passing check, or `IndexDamaged`."""
    report = check(gen, checksums)
    if not report.ok:
        raise IndexDamaged(report)
    return report


def _manifest(gen: Generation, report: CheckReport) -> dict[str, Any] | None:
    try:
        return gen.check_format()
    except FileNotFoundError:
        report.problems.append(f"{checksums.MANIFEST}: missing")
    except IndexFormatError as e:
        report.problems.append(str(e))
    except ValueError:
        report.problems.append(f"{checksums.MANIFEST}: not valid JSON (damaged)")
    except OSError as e:
        report.problems.append(f"{checksums.MANIFEST}: cannot read: {describe(e, with_path=False)}")
    return None


def _files(gen: Generation, manifest: dict[str, Any], report: CheckReport,
           verify: bool) -> None:
    files = manifest.get("files")
    if files is None:
        report.notes.append("no sizes or checksums recorded (written by an older newsearch; "
                            "rebuilding the index adds them)")
        files = {rel: None for rel in _parts(gen, manifest)}
    for rel, expected in files.items():
        path = gen.path / rel
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            report.problems.append(f"{rel}: missing")
            continue
        except OSError as e:
            report.problems.append(f"{rel}: cannot read: {describe(e, with_path=False)}")
            continue
        report.files += 1
        report.bytes += size
        if expected is not None and size != expected["size"]:
            change = "truncated" if size < expected["size"] else "grown"
            report.problems.append(f"{rel}: {size:,} bytes, expected {expected['size']:,} "
                                   f"({change})")
            continue
        try:
            if verify and expected is not None:
                if checksums.digest(path) != expected[checksums.ALGORITHM]:
                    report.problems.append(f"{rel}: checksum mismatch (its contents changed "
                                           "after it was written)")
            else:
                with open(path, "rb") as f:
                    f.read(READ_PROBE)
        except OSError as e:
            report.problems.append(f"{rel}: cannot read: {describe(e, with_path=False)}")


def _parts(gen: Generation, manifest: dict[str, Any]) -> list[str]:
    """The files every generation has (for manifests without a file list)."""
    spaces = [SpaceSpec.from_dict(d).file_name for d in manifest.get("spaces", [])]
    return [gen.store_file.name, gen.passage_articles_file.name, *spaces]


def _counts(gen: Generation, manifest: dict[str, Any], report: CheckReport) -> None:
    """Articles, passages and vectors agree across the parts and the manifest."""
    from whoosh import index as whoosh_index

    from search.index.store import ArticleStore
    from search.index.vectors import VectorIndex

    problems = report.problems
    part = gen.store_file.name
    try:
        store = ArticleStore(gen.store_file)
        try:
            articles, passages = store.count(), store.passage_count()
            langs = [(o, lang or "") for o, _, _, lang, _ in store.facts()]
            specs = [SpaceSpec.from_dict(d) for d in manifest["spaces"]]
            held = [store.passage_count([o for o, lang in langs if s.holds(lang)])
                    for s in specs]
        finally:
            store.close()
        if articles != manifest["articles"]:
            problems.append(f"{part} holds {articles} articles, the manifest says "
                            f"{manifest['articles']}")
        if passages != manifest["passages"]:
            problems.append(f"{part} holds {passages} passages, the manifest says "
                            f"{manifest['passages']}")
        part = "keyword"
        ix = whoosh_index.open_dir(str(gen.keyword_dir))
        try:
            docs = ix.doc_count()
        finally:
            ix.close()
        if docs != articles:
            problems.append(f"keyword index holds {docs} articles, {gen.store_file.name} "
                            f"{articles}")
        for spec, info, want in zip(specs, manifest["spaces"], held):
            part = spec.file_name
            count = len(VectorIndex.load(gen.path / part, mmap=True))
            if count != want:
                problems.append(f"{part} holds {count} vectors, {gen.store_file.name} has "
                                f"{want} passages for its languages")
            elif count != info.get("vectors", count):
                problems.append(f"{part} holds {count} vectors, the manifest says "
                                f"{info['vectors']}")
        part = gen.passage_articles_file.name
        if gen.passage_articles_file.exists():
            np.load(gen.passage_articles_file, mmap_mode="r")
    except Exception as e:  # any part that cannot be opened is a finding, not a crash
        problems.append(f"{part}: cannot open: {describe(e, with_path=False)}")
