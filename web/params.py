"""Reading search parameters from a request's query string."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import flask
from werkzeug.datastructures import MultiDict
from werkzeug.routing import PathConverter
from werkzeug.utils import cached_property

from search.ranking.filters import FIELDS, Filters
from search.searcher import MODES, SORTS, SearchError


class Request(flask.Request):
    """Reads query strings holding raw bytes that are not UTF-8 (which
    Werkzeug refuses with an error) the way it reads bad percent-escapes:
    invalid bytes stay percent-encoded text."""

    @cached_property
    def args(self):
        text = self.query_string.decode("utf-8", "werkzeug.url_quote")
        return self.parameter_storage_class(
            parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


class ArticleId(PathConverter):
    """An article id in a URL: any characters, slashes and line breaks
    included (Werkzeug's ``path`` stops at a line break, so such an id got a
    routing 404 instead of the view's own answer)."""

    regex = r"[^/][\s\S]*?"


@dataclass(frozen=True)
class SearchParams:
    q: str
    mode: str
    page: int
    size: int
    sort: str = "relevance"
    filters: Filters = field(default_factory=Filters)
    correct: bool = True  # search a corrected query instead of a misspelled one

    def query_args(self, **changes: Any) -> dict[str, Any]:
        """This search as query-string arguments (defaults left out), with ``changes``."""
        args: dict[str, Any] = {"q": self.q, "mode": self.mode, "sort": self.sort, "page": self.page,
                                **{f: list(self.filters.values(f)) for f in FIELDS},
                                "from": self.filters.date_from.isoformat() if self.filters.date_from else "",
                                "to": self.filters.date_to.isoformat() if self.filters.date_to else "",
                "correct": "" if self.correct else "false"}
        args.update(changes)
        defaults = {"mode": "hybrid", "sort": "relevance", "page": 1}
        return {k: v for k, v in args.items() if v not in ("", [], None) and defaults.get(k) != v}


def search_params(args: MultiDict, default_size: int = 10) -> SearchParams:
    """Validated parameters; `SearchError` (code ``bad_*``) for bad ones."""
    return SearchParams(
        q=args.get("q", ""),
        mode=_choice(args, "mode", MODES),
        page=_integer(args, "page", 1),
        size=_integer(args, "size", default_size),
        sort=_choice(args, "sort", SORTS),
        filters=Filters.parse(
            category=args.getlist("category"), author=args.getlist("author"),
            lang=args.getlist("lang"), date_from=args.get("from", ""), date_to=args.get("to", ""),
        ),
        correct=flag(args, "correct", True),
    )


def flag(args: MultiDict, name: str, default: bool) -> bool:
    raw = args.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SearchError(f"bad_{name}", f"{name} must be true or false")


def bounded(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    """A whole number between ``low`` and ``high``."""
    value = _integer(args, name, default)
    if not low <= value <= high:
        raise SearchError(f"bad_{name}", f"{name} must be between {low} and {high}")
    return value


def _choice(args: MultiDict, name: str, choices: tuple[str, ...]) -> str:
    value = args.get(name, "") or choices[0]
    if value not in choices:
        raise SearchError(f"bad_{name}", f"{name} must be one of {', '.join(choices)}")
    return value


def _integer(args: MultiDict, name: str, default: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    if not raw.isascii() or not raw.lstrip("-").isdigit() or len(raw) > 9:
        raise SearchError(f"bad_{name}", f"{name} must be a whole number")
    return int(raw)
