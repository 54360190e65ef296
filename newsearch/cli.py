"""`newsearch`: index sources, search from the terminal, serve the site search."""

from __future__ import annotations

import argparse
import html
import json
import logging
import re
import sys
from pathlib import Path

from search.config import Settings

_MARK = re.compile(r"<mark>(.*?)</mark>")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env(index_dir=getattr(args, "index_dir", None))
        return args.run(args, settings)
    except KeyboardInterrupt:
        print("interrupted; the live index is unchanged", file=sys.stderr)
        return 130
    except _USER_ERRORS as e:
        print(f"newsearch: {e}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="newsearch", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def command(name: str, run, help: str, index_dir: bool = True) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help, description=help)
        if index_dir:
            c.add_argument("--index-dir", type=Path, default=None,
                           help="index directory (default: indexes/default)")
        c.set_defaults(run=run)
        return c

    def source_options(c: argparse.ArgumentParser) -> None:
        from indexer.sources import FORMATS

        c.add_argument("--format", choices=FORMATS, default=None,
                       help="read every file as this format (default: told by content and extension)")
        c.add_argument("--map", type=_field_map, action="append", default=[], metavar="FIELD=NAME",
                       help="take an article field from a differently named JSON/CSV field, "
                            "e.g. --map title=headline (repeatable, or comma-separated)")

    c = command("index", _index, "add new and changed articles from files and folders to the "
                "index (unchanged ones are skipped); builds the index if there is none")
    c.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    source_options(c)
    c.add_argument("--rebuild", action="store_true",
                   help="build the whole index from SOURCE alone (articles not in it are dropped)")
    c.add_argument("--cluster", metavar="ADDRESS", default=None,
                   help="read and embed on the Ray cluster at ADDRESS (auto: a local one); "
                        "needs newsearch[cluster]")
    c.add_argument("--no-progress", action="store_true", help="no progress bars")

    c = command("delete", _delete, "remove articles from the index by id")
    c.add_argument("ids", nargs="+", metavar="ID")

    c = command("follow", _follow, "poll RSS/Atom feeds and (news) sitemaps, fetch the article "
                "pages they list and index the new and changed ones")
    c.add_argument("sources", nargs="+", metavar="SOURCE", help="feed or sitemap: URL or file")
    c.add_argument("--every", type=_seconds, default=60.0,
                   help="seconds from one poll to the next (default 60)")
    c.add_argument("--once", action="store_true",
                   help="poll once and exit (1 if anything failed)")
    c.add_argument("--delay", type=_seconds, default=1.0,
                   help="seconds between two requests to one host (default 1)")
    c.add_argument("--api", metavar="URL", default=None,
                   help="push to the newsearch server at URL (its push API) instead of "
                        "writing the index directly")
    c.add_argument("--token", default=None,
                   help="with --api: the server's admin token (default: NEWSEARCH_ADMIN_TOKEN)")

    c = command("merge", _merge, "fold the pushed changes (the write-ahead log) into a new "
                "generation (servers start this in the background)")
    c.add_argument("--if-free", action="store_true",
                   help="exit at once if another writer holds the index")

    c = command("extract", _extract, "print the articles extracted from files as JSON, as the "
                "indexer would store them", index_dir=False)
    c.add_argument("sources", nargs="+", type=Path, metavar="FILE")
    source_options(c)

    c = command("search", _search, "search the index from the terminal")
    c.add_argument("query")
    c.add_argument("--mode", choices=["hybrid", "keyword", "semantic"], default="hybrid")
    c.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    c.add_argument("--page", type=int, default=1)
    c.add_argument("--json", action="store_true", help="print the results as JSON")
    c.add_argument("--no-correct", action="store_true",
                   help="search the query as typed, even if it looks misspelled")

    c = command("stats", _stats, "search analytics: top queries, queries without results, "
                "clicks by position")
    c.add_argument("--limit", type=int, default=20, help="rows per list (default 20)")
    c.add_argument("--json", action="store_true", help="print the statistics as JSON")

    c = command("eval", _eval, "measure ranking quality on a BEIR-layout data set "
                "(corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv)")
    c.add_argument("dataset", type=Path, metavar="DATASET_DIR")
    c.add_argument("--split", default="train", help="qrels split to run (default train)")
    c.add_argument("--mode", choices=["all", "hybrid", "keyword", "semantic"], default="all")
    c.add_argument("--json", action="store_true", help="print the scores as JSON")
    c.add_argument("--no-progress", action="store_true", help="no progress bars")

    c = command("check", _check, "verify the live index generation: its files' sizes and "
                "checksums, and that the article store, keyword index and vectors agree")
    c.add_argument("--sizes", action="store_true",
                   help="only check that each file is there, readable and of its recorded size")

    c = command("serve", _serve, "serve the search page and API with a production WSGI server")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--threads", type=int, default=None,
                   help="worker threads per process (default: Settings.threads, 8)")
    c.add_argument("--workers", type=int, default=None,
                   help="server processes (default: Settings.workers, 0: one per CPU core)")
    c.add_argument("--cluster", metavar="ADDRESS",
                   help="serve on the Ray cluster at ADDRESS with Ray Serve (auto: a local Ray), "
                        "the index cut into shards (needs the `cluster` extra)")
    c.add_argument("--shards", type=int, default=None,
                   help="with --cluster: shards (default: Settings.shards, 2)")
    c.add_argument("--replicas", type=int, default=None,
                   help="with --cluster: replicas of each shard (default: Settings.shard_replicas, 1)")
    return p


def _index(args, settings: Settings) -> int:
    from indexer.build import LOCAL, build
    from indexer.update import update
    from search.index.layout import IndexDir

    runner = LOCAL
    if args.cluster:
        from indexer.cluster import runner as on_cluster

        runner = on_cluster(args.cluster)
    progress = False if args.no_progress else None
    # An index whose live generation is missing or damaged is refused with a hint, never
    # silently replaced by SOURCE alone: only --rebuild or a first run builds.
    run = update if not args.rebuild and IndexDir(settings.index_dir).pointer.exists() else build
    summary = run(args.sources, settings, fmt=args.format, fields=_merged(args.map),
                  progress=progress, runner=runner)
    print(summary.report())
    return 0


def _delete(args, settings: Settings) -> int:
    from indexer.update import delete

    summary = delete(args.ids, settings)
    print(summary.report())
    return 1 if summary.missing else 0


def _follow(args, settings: Settings) -> int:
    from indexer.follow.fetch import Fetcher
    from indexer.follow.follower import Follower, stop_on_signals
    from indexer.follow.sink import ApiSink, PushSink

    fetcher = Fetcher(delay=args.delay)
    if args.api:
        sink = ApiSink(args.api, args.token or settings.admin_token)
    else:
        sink = PushSink(settings)
    follower = Follower(args.sources, sink, settings.index_dir, fetcher)
    with stop_on_signals(fetcher.stop, follower.say):
        return follower.run(args.every, once=args.once)


def _merge(args, settings: Settings) -> int:
    from indexer.merge import merge
    from search.index.layout import IndexLocked

    try:
        summary = merge(settings, wait=not args.if_free)
    except IndexLocked as e:
        if args.if_free:
            return 0
        raise e
    print(summary.report())
    return 0


def _extract(args, settings: Settings) -> int:
    from indexer.dedup import Deduplicator
    from indexer.readers import Skipped
    from indexer.sources import read_sources

    articles, skipped, merged = [], 0, 0
    duplicates = Deduplicator()
    for item in read_sources(args.sources, args.format, _merged(args.map)):
        if isinstance(item, Skipped):
            skipped += 1
            print(f"skipped {item}", file=sys.stderr)
        elif duplicates.is_duplicate(item):
            merged += 1
        else:
            articles.append(item.to_dict())
    print(json.dumps(articles, ensure_ascii=False, indent=2))
    print(f"extracted {len(articles)} articles; {merged} duplicates merged; {skipped} skipped",
          file=sys.stderr)
    return 0 if articles else 1


def _search(args, settings: Settings) -> int:
    from search.features.editors import Editors, editors_dir
    from search.serving.live import LiveSearcher
    from search.serving.site import site_search

    logging.getLogger("search.serving.live").setLevel(logging.CRITICAL)  # warnings printed below
    live = LiveSearcher(settings)
    searcher = live.acquire()
    if live.degraded:
        print(f"newsearch: warning: {live.degraded} (details: newsearch check)", file=sys.stderr)
    response = site_search(searcher, Editors(editors_dir(settings, live.layout.root)), args.query,
                           correct=not args.no_correct, mode=args.mode, page=args.page, size=args.k)
    if args.json:
        print(json.dumps(response.to_dict()["results"], ensure_ascii=False, indent=2))
        return 0
    bold = sys.stdout.isatty()
    noun = "result" if response.total == 1 else "results"
    if response.corrected_query:
        print(f"Showing results for {response.corrected_query} (--no-correct: {response.query})")
    print(f"{response.total} {noun} ({response.took_ms:.0f} ms, {response.mode})")
    for rank, hit in enumerate(response.hits, start=(args.page - 1) * args.k + 1):
        a = hit.article
        other = a.lang if a.lang and a.lang != response.query_lang else ""  # another edition
        meta = " · ".join(x for x in (a.published.date().isoformat() if a.published else "",
                                      a.category, a.author, other) if x)
        print(f"\n{rank}. {a.title}  [{hit.score:.4f}]")
        if meta:
            print(f"   {meta}")
        if a.url:
            print(f"   {a.url}")
        print(f"   {_terminal(hit.snippet, bold)}")
    return 0


def _stats(args, settings: Settings) -> int:
    from search.features.analytics import open_analytics

    analytics = open_analytics(settings)
    if analytics is None:
        print("newsearch: search analytics are off (analytics_db=off)", file=sys.stderr)
        return 1
    stats = analytics.stats(max(1, args.limit))
    if args.json:
        print(json.dumps(stats, ensure_ascii=False, indent=2))
        return 0
    print(f"{stats['searches']} searches, {stats['clicks']} clicks on results")
    print("\nTop queries (searches, of them without results):")
    for row in stats["top"]:
        print(f"  {row['searches']:6d} {row['zero_results']:6d}  {row['query']}")
    print("\nQueries without results:")
    for row in stats["zero_results"]:
        print(f"  {row['searches']:6d}  {row['query']}")
    print("\nClick-through by position (clicks, per search):")
    for row in stats["click_through"]:
        print(f"  {row['position']:6d} {row['clicks']:6d} {row['rate']:7.1%}")
    return 0


def _check(args, settings: Settings) -> int:
    from search.index.integrity import check
    from search.index.layout import Generation, IndexDir
    from search.index.wal import check as wal_check

    layout = IndexDir(settings.index_dir)
    live = Generation(layout.root / layout.pointed())
    report = check(live, checksums=not args.sizes)
    print(report.text())
    log_lines, log_ok = wal_check(layout.root)
    print("\n".join(log_lines))
    if report.ok:
        return 0 if log_ok else 1
    for older in layout.older(live.name):
        fallback = check(older, checksums=not args.sizes)
        if fallback.ok:
            print(f"{older.name} (older) passes: the server and `newsearch search` serve it "
                  "instead; `newsearch index --rebuild SOURCE...` writes a new live generation")
            break
        print(f"{older.name} (older): {fallback.summary()}")
    else:
        print("no older generation passes; rebuild with: newsearch index --rebuild SOURCE...")
    return 1


def _eval(args, settings: Settings) -> int:
    from newsearch.evaluate import Dataset, evaluate
    from search.searcher import MODES

    dataset = Dataset.load(args.dataset, args.split)
    modes = MODES if args.mode == "all" else (args.mode,)
    progress = False if args.no_progress else None
    report = evaluate(dataset, modes, settings, args.index_dir,
                      progress=sys.stderr.isatty() if progress is None else progress)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.table())
    return 0


def _serve(args, settings: Settings) -> int:
    if args.cluster:
        return _serve_cluster(args, settings)
    from web.serve import serve

    serve(settings.replace(threads=args.threads or settings.threads,
                           workers=settings.workers if args.workers is None else args.workers),
          host=args.host, port=args.port)
    return 0


def _serve_cluster(args, settings: Settings) -> int:
    from search.config import SettingsError

    from .ray_cluster import ClusterError

    if (args.shards is not None and args.shards < 1) or (args.replicas is not None and args.replicas < 1):
        raise SettingsError("--shards and --replicas must be at least 1")
    try:
        from web.cluster import serve_cluster
    except ImportError as e:
        raise ClusterError(f"--cluster needs the cluster extra: pip install 'newsearch[cluster]' ({e})")
    settings = settings.replace(shards=args.shards or settings.shards,
                                shard_replicas=args.replicas or settings.shard_replicas,
                                threads=args.threads or settings.threads)
    serve_cluster(settings, args.cluster, args.host, args.port)
    return 0


def _field_map(spec: str) -> dict[str, str]:
    from indexer.records import parse_field_map

    try:
        return parse_field_map([spec])
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value >= 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}")
    return value


def _merged(maps: list[dict[str, str]]) -> dict[str, str]:
    return {field: name for mapping in maps for field, name in mapping.items()}


def _terminal(snippet_html: str, bold: bool) -> str:
    marked = _MARK.sub(lambda m: f"\033[1m{m.group(1)}\033[0m" if bold else m.group(1), snippet_html)
    return html.unescape(marked)


def _user_errors() -> tuple[type[BaseException], ...]:
    from indexer.build import BuildError
    from indexer.follow import FollowError
    from newsearch.evaluate import DatasetError
    from search import IndexNotFound, SearchError
    from search.config import SettingsError
    from search.index.layout import IndexLocked
    from search.index.storage import StorageError

    from .ray_cluster import ClusterError

    return (BuildError, ClusterError, DatasetError, FollowError, IndexNotFound, IndexLocked,
            SearchError, SettingsError, StorageError, OSError)


_USER_ERRORS = _user_errors()
