"""Reading search parameters from a request's query string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from search.searcher import MODES, SearchError


@dataclass(frozen=True)
class SearchParams:
    q: str
    mode: str
    page: int
    size: int


def search_params(args: Mapping[str, str], default_size: int = 10) -> SearchParams:
    """Validated parameters; `SearchError` (code ``bad_*``) for bad ones."""
    mode = args.get("mode", "hybrid") or "hybrid"
    if mode not in MODES:
        raise SearchError("bad_mode", f"mode must be one of {', '.join(MODES)}")
    return SearchParams(
        q=args.get("q", ""),
        mode=mode,
        page=_integer(args, "page", 1),
        size=_integer(args, "size", default_size),
    )


def _integer(args: Mapping[str, str], name: str, default: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 9:
        raise SearchError(f"bad_{name}", f"{name} must be a whole number")
    return int(raw)
