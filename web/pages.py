"""The site: the search page and the article page (HTML; works without JavaScript)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup, escape

from search.searcher import MODES, SORTS

from .errors import NoArticle
from .i18n import LANGUAGES, Translator, choose
from .params import search_params
from .searching import searched
from .searching import searcher as current_searcher

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def interface():
    """What every template gets: the translator and links that keep the language."""
    hl = choose(request)
    t = Translator(hl)

    def link(endpoint: str, **args) -> str:
        return url_for(endpoint, **args, hl=hl if request.args.get("hl") else None)

    def in_language(code: str) -> str:
        """This very page in another interface language."""
        args = {k: request.args.getlist(k) for k in request.args if k != "hl"}
        if request.endpoint in ("pages.search_page", "pages.article_page", "pages.stats_page"):
            return url_for(request.endpoint, **(request.view_args or {}), **args, hl=code)
        return url_for("pages.search_page", hl=code)

    return {"t": t, "hl": hl, "languages": LANGUAGES, "link": link, "in_language": in_language,
            "modes": MODES, "sorts": SORTS}


@bp.app_template_filter("snippet")
def snippet_html(snippet: str) -> Markup:
    """A hit's snippet as HTML with nothing but text and <mark>: the searcher
    escapes the article text already; this holds whatever a snippet holds."""
    parts = re.split(r"(</?mark>)", snippet)
    return Markup("".join(p if p in ("<mark>", "</mark>") else escape(unescape(p)) for p in parts))


@bp.after_request
def vary(response):
    """The language of a page without ``hl=`` follows the browser's: caches must know."""
    response.vary.add("Accept-Language")
    return response


@bp.get("/")
def search_page():
    if not request.args.get("q", "").strip():
        return render_template("search.html", params=search_params(request.args), response=None)
    params, response = searched(request.args, facets=True)
    return render_template("search.html", params=params, response=response)


@bp.get("/articles/<article_id:article_id>")
def article_page(article_id: str):
    found = current_searcher().related(article_id)
    if found is None:
        raise NoArticle()
    return render_template("article.html", found=found, back=_back_link())


@bp.get("/admin/stats")
def stats_page():
    """The stats view: the token is typed in the browser, which then reads `/api/stats`."""
    return render_template("stats.html")


def _back_link() -> str | None:
    """The search the reader came from, if they came from this site's search page."""
    ref = urlsplit(request.referrer or "")
    here = urlsplit(request.host_url)
    if ref.netloc == here.netloc and ref.path == url_for("pages.search_page") and ref.query:
        return f"{ref.path}?{ref.query}"
    return None
