"""The one record type every reader produces and every result carries."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any


@dataclass
class Article:
    id: str
    title: str
    body: str
    url: str = ""
    published: datetime | None = None  # always timezone-aware when set
    author: str = ""
    category: str = ""
    lang: str = ""
    source: str = ""  # where the record came from (file path, feed, ...)
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. {"views": 26}

    def __post_init__(self) -> None:
        if self.published is not None and self.published.tzinfo is None:
            raise ValueError(f"article {self.id!r}: published must be timezone-aware")

    @property
    def text(self) -> str:
        """Title and body, as the keyword index and duplicate checks see them."""
        return f"{self.title}\n\n{self.body}" if self.title else self.body

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["published"] = self.published.isoformat() if self.published else None
        return d

    def digest(self) -> str:
        """Hash of everything indexed about the article (not where it was read
        from): equal digests mean re-indexing it would change nothing."""
        d = self.to_dict()
        d.pop("source", None)
        canonical = json.dumps(d, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha1(canonical.encode("utf-8")).hexdigest()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Article":
        published = d.get("published")
        if isinstance(published, str) and published:
            published = datetime.fromisoformat(published)
        return cls(
            id=d["id"],
            title=d.get("title") or "",
            body=d.get("body") or "",
            url=d.get("url") or "",
            published=published or None,
            author=d.get("author") or "",
            category=d.get("category") or "",
            lang=d.get("lang") or "",
            source=d.get("source") or "",
            extra=dict(d.get("extra") or {}),
        )


def stable_id(*parts: str) -> str:
    """A short deterministic id for records that do not bring their own."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:16]


def utc(dt: datetime) -> datetime:
    """Naive datetimes are taken as UTC."""
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt
