"""`newsearch`: index sources, search from the terminal, serve the site search."""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from pathlib import Path

from search.config import Settings

_MARK = re.compile(r"<mark>(.*?)</mark>")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = Settings.from_env(index_dir=args.index_dir)
    try:
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

    def command(name: str, run, help: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help, description=help)
        c.add_argument("--index-dir", type=Path, default=None,
                       help="index directory (default: indexes/default)")
        c.set_defaults(run=run)
        return c

    c = command("index", _index, "add new and changed articles from files and folders to the "
                "index (unchanged ones are skipped); builds the index if there is none")
    c.add_argument("sources", nargs="+", type=Path, metavar="SOURCE")
    c.add_argument("--format", choices=["jsonl", "csv", "text"], default=None,
                   help="read every file as this format (default: by extension)")
    c.add_argument("--rebuild", action="store_true",
                   help="build the whole index from SOURCE alone (articles not in it are dropped)")
    c.add_argument("--no-progress", action="store_true", help="no progress bars")

    c = command("delete", _delete, "remove articles from the index by id")
    c.add_argument("ids", nargs="+", metavar="ID")

    c = command("search", _search, "search the index from the terminal")
    c.add_argument("query")
    c.add_argument("--mode", choices=["hybrid", "keyword", "semantic"], default="hybrid")
    c.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    c.add_argument("--page", type=int, default=1)
    c.add_argument("--json", action="store_true", help="print the results as JSON")

    c = command("serve", _serve, "serve the search page and API with a production WSGI server")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    c.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    return p


def _index(args, settings: Settings) -> int:
    from indexer.build import build
    from indexer.update import update
    from search.layout import IndexDir

    progress = False if args.no_progress else None
    run = update if not args.rebuild and IndexDir(settings.index_dir).exists() else build
    summary = run(args.sources, settings, fmt=args.format, progress=progress)
    print(summary.report())
    return 0


def _delete(args, settings: Settings) -> int:
    from indexer.update import delete

    summary = delete(args.ids, settings)
    print(summary.report())
    return 1 if summary.missing else 0


def _search(args, settings: Settings) -> int:
    from search import Searcher

    searcher = Searcher.open(settings=settings)
    response = searcher.search(args.query, mode=args.mode, page=args.page, size=args.k)
    if args.json:
        print(json.dumps(response.to_dict()["results"], ensure_ascii=False, indent=2))
        return 0
    bold = sys.stdout.isatty()
    noun = "result" if response.total == 1 else "results"
    print(f"{response.total} {noun} ({response.took_ms:.0f} ms, {response.mode})")
    for rank, hit in enumerate(response.hits, start=(args.page - 1) * args.k + 1):
        a = hit.article
        meta = " · ".join(x for x in (a.published.date().isoformat() if a.published else "",
                                      a.category, a.author) if x)
        print(f"\n{rank}. {a.title}  [{hit.score:.4f}]")
        if meta:
            print(f"   {meta}")
        if a.url:
            print(f"   {a.url}")
        print(f"   {_terminal(hit.snippet, bold)}")
    return 0


def _serve(args, settings: Settings) -> int:
    from web.serve import serve

    serve(settings, host=args.host, port=args.port, threads=args.threads)
    return 0


def _terminal(snippet_html: str, bold: bool) -> str:
    marked = _MARK.sub(lambda m: f"\033[1m{m.group(1)}\033[0m" if bold else m.group(1), snippet_html)
    return html.unescape(marked)


def _user_errors() -> tuple[type[BaseException], ...]:
    from indexer.build import BuildError
    from search import IndexNotFound, SearchError
    from search.layout import IndexLocked

    return (BuildError, IndexNotFound, IndexLocked, SearchError, OSError)


_USER_ERRORS = _user_errors()
