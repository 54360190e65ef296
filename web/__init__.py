"""The Flask site search: the search page and the JSON API."""

from __future__ import annotations

from flask import Flask

from search.config import Settings
from search.features.analytics import open_analytics
from search.features.editors import Editors, editors_dir
from search.serving.live import LiveSearcher

from . import params


def create_app(settings: Settings | None = None, searcher: LiveSearcher | None = None) -> Flask:
    """App factory: one `LiveSearcher` per app, shared by all requests."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.request_class = params.Request
    app.json.sort_keys = False
    app.url_map.converters["article_id"] = params.ArticleId
    live = app.extensions["newsearch"] = searcher or LiveSearcher(settings)
    app.extensions["newsearch.settings"] = settings
    app.extensions["newsearch.editors"] = Editors(editors_dir(settings, live.layout.root))
    app.extensions["newsearch.analytics"] = open_analytics(settings, live.layout.root)

    from . import admin, api, cors, errors, metrics, observe, pages, push, searching, security

    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(push.bp)
    app.register_blueprint(metrics.bp)
    errors.register(app)
    searching.register(app)
    security.register(app)
    cors.register(app, settings)
    observe.register(app)
    return app
