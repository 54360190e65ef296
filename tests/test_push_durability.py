"""Pushed changes are durable: a server killed with SIGKILL right after its answer
loses nothing, every serving process finds them, and the CLI and the API write
together without losing either's changes."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from urllib.parse import urlencode

from indexer.merge import merge
from indexer.push import Pusher, parse_article
from indexer.update import delete, update
from search import Settings
from search.serving.live import LiveSearcher

from .conftest import ROOT, SEED_ID

TOKEN = "kill-test"


def test_a_killed_server_loses_no_acknowledged_change_and_every_process_finds_it(
        tmp_path, newsroom_index):
    root = tmp_path / "index"
    shutil.copytree(newsroom_index, root)
    server, port = _start(root, workers=2)
    try:
        answers = []
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        for i in range(3):
            body = {"title": f"Quarzelite mine number {i} opens", "body": "Miners in the "
                    f"valley dug up quarzelite, a new mineral, at mine {i} this week.",
                    "published": "2025-05-01T08:00:00Z", "category": "SCIENCE"}
            conn.request("PUT", f"/api/articles/kill-{i}", json.dumps(body),
                         {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
            answers.append(json.loads(conn.getresponse().read()))
        conn.request("DELETE", f"/api/articles/{SEED_ID}", headers={"Authorization":
                                                                   f"Bearer {TOKEN}"})
        answers.append(json.loads(conn.getresponse().read()))
        os.killpg(server.pid, signal.SIGKILL)  # the answer is in: nothing may be lost now
        assert [a["result"] for a in answers] == ["created"] * 3 + ["deleted"], answers
        server.wait(timeout=30)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    server, port = _start(root, workers=2)
    try:
        for _ in range(6):  # new connections: both processes answer some
            for mode in ("keyword", "semantic", "hybrid"):
                found = _search(port, "quarzelite mine opens", mode)
                ids = [r["id"] for r in found["results"]] + [
                    s["id"] for r in found["results"] for s in r["similar"]]
                assert {"kill-0", "kill-1", "kill-2"} <= set(ids), (mode, ids)
                seed = _search(port, "Israel Hezbollah Politico green light", mode)
                assert SEED_ID not in json.dumps(seed["results"])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=60)


def test_cli_and_api_write_together_without_losing_either(tmp_path, newsroom_index, embedder):
    root = tmp_path / "index"
    shutil.copytree(newsroom_index, root)
    settings = Settings(index_dir=root, nrt_poll_seconds=0)
    pusher = Pusher(settings, embedder)
    files = []
    for i in range(2):
        path = tmp_path / f"cli-{i}.jsonl"
        path.write_text(json.dumps({"id": f"cli-{i}", "title": f"Plenary debate {i} on tariffs",
                                    "body": "Lawmakers debated tariffs on steel imports."}) + "\n")
        files.append(path)
    errors = []

    def cli():
        try:
            for path in files:
                update([path], settings, progress=False, embedder=embedder)
            delete(["wire-politico"], settings, embedder=embedder)
        except Exception as e:  # reported below
            errors.append(e)

    thread = threading.Thread(target=cli)
    thread.start()
    pushed = []
    for i in range(6):
        article = parse_article({"title": f"Vorplex harbour story {i}",
                                 "body": f"Dockers at the Vorplex harbour unloaded ship {i}."},
                                settings, f"api-{i}")
        pushed += pusher.put([article])
    thread.join(timeout=120)
    assert not errors, errors
    assert [o.result for o in pushed] == ["created"] * 6

    def held(live: LiveSearcher) -> set[str]:
        with live.searching() as s:
            return {i for i in [*(f"cli-{n}" for n in range(2)), *(f"api-{n}" for n in range(6)),
                                "wire-politico", SEED_ID] if s.article(i) is not None}

    expected = {"cli-0", "cli-1", *(f"api-{n}" for n in range(6)), SEED_ID}
    assert held(LiveSearcher(settings, embedder=embedder)) == expected
    merge(settings)
    assert held(LiveSearcher(settings, embedder=embedder)) == expected


def _start(index, workers: int) -> tuple[subprocess.Popen, int]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSEARCH_ADMIN_TOKEN": TOKEN,
           "NEWSEARCH_MERGE_RECORDS": "0", "NEWSEARCH_MERGE_SECONDS": "0"}
    server = subprocess.Popen(
        [sys.executable, "-m", "newsearch", "serve", "--index-dir", str(index), "--port", "0",
         "--workers", str(workers), "--threads", "2"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    log: list[str] = []
    while len(re.findall(r"process \d+ serving", "".join(log))) < workers:
        log.append(server.stderr.readline())
        assert log[-1], "".join(log)
    threading.Thread(target=server.stderr.read, daemon=True).start()  # never block its writes
    return server, int(re.search(r"serving on http://127\.0\.0\.1:(\d+)/", "".join(log))[1])


def _search(port: int, q: str, mode: str) -> dict:
    deadline = time.monotonic() + 5
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/search?" + urlencode({"q": q, "mode": mode}))
        response = conn.getresponse()
        body = json.loads(response.read())
        conn.close()
        if response.status == 200 or time.monotonic() > deadline:
            return body
        time.sleep(0.1)
