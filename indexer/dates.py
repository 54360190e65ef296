"""Publication dates: parsing the many ways sources write them, and the time
zone a page's local times are in.

A date that states its zone ("GMT+4", "MSK", "+04:00") keeps it.  One that
does not is taken in the local time of the site that published it when the
site's country has a single time zone (``caliber.az`` -> Asia/Baku); for
generic domains (.com, .org, ...) and multi-zone countries it is taken as UTC.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timezone, tzinfo
from functools import lru_cache
from typing import Any, Iterable

# A host name as written in page text: "Caliber.az", "www.example.co.uk".
_DOMAIN = re.compile(r"(?<![\w@.-])((?:[a-z0-9-]+\.)+([a-z]{2,}))(?![\w-])", re.IGNORECASE)
_DOTTED_DAY_FIRST = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
# Second-level labels that make a ccTLD generic ("co.uk" is still British,
# but these would only mislead: a .tv or .io site is not from Tuvalu).
_GENERIC_CCTLDS = {"io", "tv", "me", "co", "ai", "fm", "ly", "to", "cc", "ws", "gg", "la", "eu"}
_TLD_COUNTRY = {"uk": "GB"}


def parse_date(value: Any, default_tz: tzinfo = timezone.utc, day_first: bool = False
               ) -> datetime | None:
    """A timezone-aware datetime from ISO text, a timestamp or free text.

    Dates without a zone are taken to be in ``default_tz``; ``day_first``
    reads "01/10/2024" as 1 October.  Unparseable values give None."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    else:
        text = str(value).strip()
        try:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            import dateparser  # slow to import; only for non-ISO dates

            order = "DMY" if day_first or _DOTTED_DAY_FIRST.search(text) else None
            try:
                dt = dateparser.parse(text, settings={"DATE_ORDER": order} if order else None)
            except (ValueError, OverflowError):
                return None
            if dt is None:
                return None
    return dt if dt.tzinfo else localize(dt, default_tz)


def localize(dt: datetime, zone: tzinfo) -> datetime:
    """``dt`` (naive) as a time in ``zone``."""
    attach = getattr(zone, "localize", None)  # pytz zones need localize()
    return attach(dt) if attach else dt.replace(tzinfo=zone)


def site_timezone(domains: Iterable[str]) -> tzinfo | None:
    """The time zone of the country whose domain is named most (None if unknown)."""
    counts = Counter(d.lower().removeprefix("www.") for d in domains)
    for domain, _ in counts.most_common():
        zone = _country_zone(domain.rsplit(".", 1)[-1])
        if zone is not None:
            return zone
    return None


def domains_in(text: str) -> list[str]:
    """Host names mentioned in ``text`` (only those with a country-code domain)."""
    return [m.group(1) for m in _DOMAIN.finditer(text) if len(m.group(2)) == 2]


@lru_cache(maxsize=256)
def _country_zone(tld: str) -> tzinfo | None:
    import pytz

    tld = tld.lower()
    if len(tld) != 2 or tld in _GENERIC_CCTLDS:
        return None
    zones = pytz.country_timezones.get(_TLD_COUNTRY.get(tld, tld).upper(), [])
    return pytz.timezone(zones[0]) if len(zones) == 1 else None
