"""Reading search parameters from a request's query string."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping
from urllib.parse import parse_qsl

import flask
from werkzeug.utils import cached_property

from search.searcher import MODES, SearchError


class Request(flask.Request):
    """Reads query strings holding raw bytes that are not UTF-8 (which
    Werkzeug refuses with an error) the way it reads bad percent-escapes:
    invalid bytes stay percent-encoded text."""

    @cached_property
    def args(self):
        text = self.query_string.decode("utf-8", "werkzeug.url_quote")
        return self.parameter_storage_class(
            parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


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
