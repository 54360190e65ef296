"""`newsearch follow`: poll RSS/Atom feeds and (news) sitemaps, fetch the article
pages they list and push new and changed articles into the index.

- `fetch`: HTTP(S) and files, conditional GET, per-host delay, retry with
  backoff, robots.txt;
- `discover`: feeds and sitemaps -> entries (the pages to fetch);
- `follower`: the poll loop and what it remembers between polls;
- `sink`: where the articles go.

Nothing is imported here, so that the command line can name `FollowError` cheaply.
"""


class FollowError(Exception):
    """The follower cannot start (e.g. another one follows into the same index)."""
