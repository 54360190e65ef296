"""Running the app under waitress, a production WSGI server."""

from __future__ import annotations

import logging

from waitress import serve as waitress_serve

from search.config import Settings

from . import create_app


def serve(settings: Settings, host: str, port: int, threads: int) -> None:
    """Serve until interrupted; the index and model load before the first request."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = create_app(settings)
    searcher = app.extensions["newsearch"].get()  # fail fast if there is no index
    searcher.embedder.encode(["warm up"])
    logging.getLogger("newsearch").info(
        "serving %s (%d articles) on http://%s:%d/", searcher.generation.name,
        searcher.article_count, host, port)
    waitress_serve(app, host=host, port=port, threads=threads, ident="newsearch")
