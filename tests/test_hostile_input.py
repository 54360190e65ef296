"""Hostile input at the API, the page and the query parser: a 400 or a sensible
answer, never a 500 or a traceback.  Property-based (hypothesis) with a bounded
number of examples; every fuzzed input is counted (see the summary line)."""

import json
import re
import socket
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit
from urllib.request import urlopen

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from search import MODES, SearchError

from .conftest import ROOT, count_fuzzed, running_server

FUZZ = settings(max_examples=100, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

# Pieces of query syntax Whoosh gives meaning to, mixed with words and junk.
SYNTAX = st.sampled_from([
    '"', "(", ")", "[", "]", "{", "}", "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "+", "-", "*",
    "?", "~", "~2", "^", "^3", ":", "title:", "body:", "id:", "ord:", "published:", "author:",
    "category:", "lang:", "url:", "nope:", "TO", "[a TO z]", "{1 TO}", "'", "\\", "/", "&",
    "<script>", "%", "%00", "\x00", "\u202e", "\ufeff", "😀", "Ω", "Израиль", "israel",
    "president", "1e308", "NOT AND 0", "published:\"\"", "published:", "\"\"", "-1", "9" * 30,
])
QUERY = st.one_of(
    st.text(max_size=120),
    st.lists(st.one_of(SYNTAX, st.text(max_size=8)), max_size=40).map(" ".join),
    st.lists(SYNTAX, max_size=40).map("".join),
)
NUMBER = st.one_of(
    st.integers(min_value=-10**30, max_value=10**30).map(str),
    st.sampled_from(["", "0", "-0", "+1", "1.5", "1e3", " 2", "0x10", "٣", "NaN", "inf"]),
    st.text(max_size=12),
)
MODE = st.one_of(st.sampled_from(MODES), st.text(max_size=12))


def check_api_answer(r, size=None):
    assert r.status_code in (200, 400), (r.status_code, r.get_data()[:300])
    assert r.is_json
    body = r.get_json()
    if r.status_code == 400:
        assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    else:
        assert isinstance(body["results"], list) and body["total"] >= len(body["results"])
        assert len(body["results"]) <= body["size"] <= 100


@FUZZ
@given(q=QUERY, mode=MODE, page=NUMBER, size=NUMBER)
def test_fuzzed_api_parameters(client, q, mode, page, size):
    count_fuzzed()
    r = client.get("/api/search", query_string={"q": q, "mode": mode, "page": page, "size": size})
    check_api_answer(r)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_fuzzed_raw_query_strings(client, raw):
    """Any bytes at all after the '?', including invalid UTF-8 and bad %-escapes."""
    count_fuzzed()
    r = client.get("/api/search", environ_overrides={"QUERY_STRING": raw.decode("latin-1")})
    check_api_answer(r)


@FUZZ
@given(q=QUERY)
def test_fuzzed_queries_on_the_page_are_shown_as_text(client, q):
    count_fuzzed()
    r = client.get("/", query_string={"q": q, "mode": "keyword"})
    assert r.status_code in (200, 400)
    page = _Tags()
    page.feed(r.get_data(as_text=True))
    assert page.tags <= TEMPLATE_TAGS, page.tags - TEMPLATE_TAGS
    assert not page.handlers


@settings(FUZZ, max_examples=300)
@given(q=QUERY, page=st.integers(1, 5), size=st.integers(1, 20))
def test_fuzzed_query_parsing_in_the_searcher(searcher, q, page, size):
    """Query syntax is parsed for keyword ranking (semantic ranking embeds the text as it is)."""
    count_fuzzed()
    try:
        response = searcher.search(q, mode="keyword", page=page, size=size)
    except SearchError as e:
        assert e.code == "query_too_long"
        return
    assert len(response.hits) <= size
    assert all(h.article.id for h in response.hits)


# Every tag the templates write (and <mark> from snippets): any other tag on a
# page could only have come from the query.
TEMPLATE_TAGS = {tag.lower() for page in (ROOT / "web" / "templates").glob("*.html")
                 for tag in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", page.read_text(encoding="utf-8"))}
TEMPLATE_TAGS.add("mark")
TEMPLATE_TAGS.discard("script")  # only our own /static/ scripts may appear (see _Tags)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.handlers = set(), []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and (dict(attrs).get("src") or "").startswith("/static/"):
            return
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]


@pytest.mark.parametrize("query", [
    "q=" + "x" * 1001,  # over the documented cap
    "q=abc&page=99999999999999999999", "q=abc&page=-1", "q=abc&size=-5", "q=abc&size=1000000",
    "q=abc&page=1&size=100&page=2", "q=abc&mode=KEYWORD", "q=abc&mode=", "mode=semantic",
    "q=%ff%fe%fd", "q=%", "q=%%%", "q=%zz%2", "q=abc%00def", "q=\x01\x02\x1b[31m",
    "q=%E2%80%AE%E2%80%AEevil", "q=title:(((((", 'q="unclosed phrase', "q=NOT", "q=AND OR NOT",
    "q=ord:abc", "q=published:notadate", "q=published:%22%22", "q=published:[2020 TO]", "q=*", "q=???", "q=a~99",
    "q=a^999999", "q=" + "(" * 500, "q=" + "a OR " * 180, "q=" + quote("<svg onload=alert(1)>"),
])
def test_hostile_cases(client, query):
    check_api_answer(client.get("/api/search", environ_overrides={"QUERY_STRING": query}))
    assert client.get("/", environ_overrides={"QUERY_STRING": query}).status_code in (200, 400)


def test_long_query_gets_the_documented_400(client):
    r = client.get("/api/search", query_string={"q": "word " * 201})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "query_too_long"
    assert client.get("/api/search", query_string={"q": "x" * 1000}).status_code == 200


RAW_REQUESTS = [
    b"GET /api/search?q=\xff\xfe\x80 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/search?q=%ff%00%zz&size=%-1 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /\xc3\x28/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/search?q=" + b"a" * 60000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"j" * 40000 + b"\r\n\r\n",
    b"POST /api/search?q=x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
    b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GARBAGE\r\n\r\n",
]


@pytest.mark.parametrize("raw", RAW_REQUESTS, ids=range(len(RAW_REQUESTS)))
def test_raw_bytes_on_the_wire_never_get_a_500(app, raw, index_dir):
    from search import Settings

    with running_server(app, Settings(index_dir=index_dir)) as url:
        address = urlsplit(url)
        answer = b""
        with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
            try:
                sock.sendall(raw)
                sock.shutdown(socket.SHUT_WR)
                while chunk := sock.recv(65536):
                    answer += chunk
            except ConnectionResetError:  # refused before reading it all: fine if it said why
                pass
        status = int(answer.split(b" ", 2)[1])
        assert status in (200, 400, 404, 405, 414, 431), answer[:300]
        assert b"Traceback" not in answer
        if status in (200, 400) and b"application/json" in answer:
            json.loads(answer.split(b"\r\n\r\n", 1)[1])
        with urlopen(url + "/healthz", timeout=10) as still_up:
            assert still_up.status == 200
