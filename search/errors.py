"""The error the search core raises for requests it refuses."""

from __future__ import annotations


class SearchError(ValueError):
    """A request the searcher refuses; ``code`` is machine-readable."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
