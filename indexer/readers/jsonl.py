"""JSON Lines: one article object per line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from search.article import Article

from ..records import BadRecord, from_record
from . import Skipped


def read(path: Path, text: str) -> Iterator[Article | Skipped]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            yield from_record(json.loads(line), where)
        except json.JSONDecodeError as e:
            yield Skipped(where, f"invalid JSON ({e.msg})")
        except BadRecord as e:
            yield Skipped(where, str(e))
