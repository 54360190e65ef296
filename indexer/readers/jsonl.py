"""JSON sources: JSON Lines (one article object per line) or one JSON document
holding an article object or a list of them."""

from __future__ import annotations

import json
from typing import Any, Iterator

from search.article import Article

from ..records import BadRecord, FieldMap, from_record
from . import Skipped


def read(source: str, text: str, fields: FieldMap) -> Iterator[Article | Skipped]:
    document = _whole_document(text)
    if document is not None:
        records = document if isinstance(document, list) else [document]
        for number, record in enumerate(records, start=1):
            yield _article(record, f"{source}#{number}" if len(records) > 1 else source, fields)
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield Skipped(where, f"invalid JSON ({e.msg} at column {e.colno})")
            continue
        yield _article(record, where, fields)


def _whole_document(text: str) -> Any:
    """The parsed file when it is one JSON document spanning lines (not JSON Lines)."""
    stripped = text.strip()
    if not (stripped.startswith("[") or stripped.startswith("{") and "\n" in stripped):
        return None
    try:
        return json.loads(stripped)
    except json.JSONDecodeError:
        return None


def _article(record: Any, where: str, fields: FieldMap) -> Article | Skipped:
    try:
        return from_record(record, where, fields)
    except BadRecord as e:
        return Skipped(where, str(e))
