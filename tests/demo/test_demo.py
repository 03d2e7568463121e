"""`archiver demo` crawls the bundled demo site and archives every article, cleanly."""

from __future__ import annotations

import json

import pytest

from archiver.demo.run import demo_site_root
from archiver.store.archive import Store

pytestmark = pytest.mark.slow


def test_demo_archives_every_demo_article_cleanly(demo_archive):
    expected = json.loads((demo_site_root() / "expected.json").read_text(encoding="utf-8"))
    with Store(demo_archive, readonly=True) as store:
        rows = store.articles()
    by_path = {}
    for row in rows:
        path = "/" + row["url"].split("/", 3)[3]
        by_path[path] = row
    assert sorted(by_path) == sorted(expected["pages"])
    assert len(expected["pages"]) >= 20
    for path, want in expected["pages"].items():
        row = by_path[path]
        assert row["title"] == want["title"], path
        assert row["published"][:10] == want["date"], path
        assert row["language"] == want["language"], path
        if want["author"] is not None:
            assert row["author"] == want["author"], path
        if want["tags"] is not None:
            assert row["tags"] == want["tags"], path
        for snippet in want["must_contain"]:
            assert snippet in row["text"], (path, snippet)
        for snippet in want["must_not_contain"]:
            assert snippet not in row["text"], (path, snippet)


def test_demo_prints_summary_and_sample_search(tmp_path):
    from ..support import run_archiver

    result = run_archiver("demo", "--db", str(tmp_path / "demo.db"), "--query", "lima")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "24 new" in out
    assert "archived articles (24)" in out
    assert "search 'lima'" in out and "Miles de personas marchan en Lima" in out
    # The default port, so the next demo into the same archive finds the same URLs (or it
    # says why not).
    assert ("demo site: http://127.0.0.1:8712/" in out
            or "note: cannot serve on port 8712" in out), out[:500]


def test_a_second_demo_into_the_same_archive_stores_nothing_twice(tmp_path):
    """The demo site keeps its port, so its articles keep their URLs from one demo to the
    next (on a new port each time, every `make demo` stored all 24 again)."""
    from ..support import free_port, run_archiver

    db, port = tmp_path / "demo.db", str(free_port())
    first = run_archiver("demo", "--db", str(db), "--port", port)
    assert first.returncode == 0, first.stderr
    assert f"http://127.0.0.1:{port}/" in first.stdout and "24 new" in first.stdout
    second = run_archiver("demo", "--db", str(db), "--port", port)
    assert second.returncode == 0, second.stderr
    assert "0 new" in second.stdout and "archived articles (24)" in second.stdout
    with Store(db, readonly=True) as store:
        assert store.count() == 24


def test_a_taken_demo_port_falls_back_to_a_free_one(tmp_path):
    import socket

    from ..support import run_archiver

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_archiver("demo", "--db", str(tmp_path / "demo.db"), "--port", str(port))
    assert result.returncode == 0, result.stderr
    assert f"note: cannot serve on port {port} (Address already in use)" in result.stdout
    assert f"127.0.0.1:{port}/" not in result.stdout and "24 new" in result.stdout


DEMO_ROUTES = {
    "atom feed": dict(feeds=["/atom.xml"]),
    "robots.txt -> sitemap index -> news sitemap + gzipped sitemap": dict(
        sitemaps=["/robots.txt"]),
    # front (hop 0) -> section (1) -> its page 2 (2) -> article (3)
    "front page -> sections -> pagination": dict(start_urls=["/"], extra="follow_depth = 3"),
}


@pytest.mark.parametrize("route", sorted(DEMO_ROUTES))
def test_every_demo_article_is_reachable_by_each_route_alone(tmp_path, route):
    """Only the full discovery chain of each route reaches all 24 (RSS and the news sitemap
    list fewer), so this proves Atom, sitemap indexes, .gz sitemaps and section crawling."""
    from archiver.demo.siteserver import SiteServer

    from ..support import run_archiver, write_config

    expected = json.loads((demo_site_root() / "expected.json").read_text(encoding="utf-8"))
    with SiteServer(demo_site_root()) as server:
        options = dict(DEMO_ROUTES[route])
        extra = 'allow = ["/article/"]\n' + options.pop("extra", "")
        config = write_config(tmp_path / "sites.toml", server, name="demo", extra=extra,
                              **options)
        result = run_archiver("crawl", "--config", str(config), "--db", str(tmp_path / "a.db"))
        assert result.returncode == 0, result.stdout + result.stderr
        log = list(server.log)
    with Store(tmp_path / "a.db", readonly=True) as store:
        assert store.count() == len(expected["pages"]) == 24
    agents = {r.headers.get("User-Agent") for r in log}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("archiver/") and "(+https://" in agent
