"""Readers turn one source file into articles (or reasons it could not)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Skipped:
    """A file or record that was not indexed, and why."""

    source: str  # path, with ":LINE" for a record inside a file
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"
