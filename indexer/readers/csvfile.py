"""CSV with a header row naming the fields."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterator

from search.article import Article

from ..records import BadRecord, from_record
from . import Skipped


def read(path: Path, text: str) -> Iterator[Article | Skipped]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    if not rows.fieldnames:
        yield Skipped(str(path), "CSV has no header row")
        return
    rows.fieldnames = [name.strip().lower() for name in rows.fieldnames]
    try:
        for row in rows:
            where = f"{path}:{rows.line_num}"
            try:
                yield from_record({k: v for k, v in row.items() if k is not None}, where)
            except BadRecord as e:
                yield Skipped(where, str(e))
    except csv.Error as e:
        yield Skipped(f"{path}:{rows.line_num}", f"malformed CSV ({e})")
