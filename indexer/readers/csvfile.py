"""CSV with a header row naming the fields."""

from __future__ import annotations

import csv
import io
from typing import Iterator

from search.article import Article

from ..records import BadRecord, FieldMap, from_record
from . import Skipped


def read(source: str, text: str, fields: FieldMap) -> Iterator[Article | Skipped]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect, strict=True)
    if not rows.fieldnames:
        yield Skipped(source, "CSV has no header row")
        return
    rows.fieldnames = [name.strip().lower() for name in rows.fieldnames]
    fields = {field: name.lower() for field, name in fields.items()}
    ended = 1  # the line the last good row ended on; a bad one starts after it
    try:
        for row in rows:
            where = f"{source}:{ended + 1}"
            ended = rows.line_num
            try:
                yield from_record({k: v for k, v in row.items() if k is not None}, where, fields)
            except BadRecord as e:
                yield Skipped(where, str(e))
    except csv.Error as e:
        yield Skipped(f"{source}:{ended + 1}", f"malformed CSV ({e})")
