"""Raw captures: WARC files a crawl writes, re-extraction, export and import of WARC files."""

from __future__ import annotations

import csv
import gzip
import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.config import load_config, parse_config
from archiver.crawl import ingest
from archiver.demo.siteserver import SiteServer
from archiver.errors import ConfigError
from archiver.store.archive import Store
from archiver.warc.captures import CaptureRecorder, file_path
from archiver.warc.files import Exchange, WarcWriter, recover
from archiver.warc.reading import read_capture

from ..support import SEED_SITE, query, run_archiver, seed_expected, write_config

ROUTES = dict(feeds=["/rss.xml"], sitemaps=["/robots.txt"], start_urls=["/"])


def warcio(*args: str) -> subprocess.CompletedProcess:
    """The standard `warcio` command line tool, as another archivist would run it."""
    return subprocess.run([sys.executable, "-m", "warcio.cli", *args], capture_output=True,
                          text=True, timeout=120)


def rows(db: Path) -> list[dict]:
    return query(db, "SELECT * FROM articles ORDER BY url")


def captures(db: Path) -> list[dict]:
    return query(db, "SELECT * FROM captures ORDER BY id")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The seed site crawled twice (every route) into one archive; the server stays up."""
    tmp = tmp_path_factory.mktemp("crawled")
    with SiteServer(SEED_SITE) as server:
        config = write_config(tmp / "sites.toml", server, **ROUTES)
        db = tmp / "archive.db"
        runs = []
        for _ in range(2):
            before = set((tmp / "warc").glob("*.warc.gz")) if (tmp / "warc").exists() else set()
            result = run_archiver("crawl", "--config", str(config), "--db", str(db), cwd=tmp)
            assert result.returncode == 0, result.stdout + result.stderr
            (new,) = set((tmp / "warc").glob("*.warc.gz")) - before
            runs.append(new)
        yield dict(tmp=tmp, db=db, config=config, server=server, files=runs)


@pytest.mark.slow
def test_crawl_writes_standard_warc_for_every_response(crawled):
    files = crawled["files"]
    assert not list((crawled["tmp"] / "warc").glob("*.open")), "files finished on close"
    for file in files:
        check = warcio("check", "-v", str(file))
        assert check.returncode == 0, check.stdout + check.stderr
        assert "digest pass" in check.stdout
        index = warcio("index", "-f", "warc-type,warc-target-uri,http:status", str(file))
        assert index.returncode == 0, index.stderr
        assert '"warc-type": "warcinfo"' in index.stdout
    first_index = warcio("index", "-f", "warc-type,warc-target-uri", str(files[0])).stdout
    kinds = [json.loads(line) for line in first_index.splitlines()]
    uris = {k.get("warc-target-uri", "").split("/", 3)[-1] for k in kinds}
    # Not only articles: discovery responses are kept too.
    assert {"robots.txt", "rss.xml", "sitemap.xml", ""} <= uris
    assert {k["warc-type"] for k in kinds} >= {"warcinfo", "response", "request"}
    roles = {c["role"] for c in captures(crawled["db"])}
    assert {"robots", "feed", "sitemap", "start", "page"} <= roles


@pytest.mark.slow
def test_every_article_points_to_a_capture_that_re_extracts_to_its_text(crawled):
    db = crawled["db"]
    config = load_config(crawled["config"])
    articles = rows(db)
    assert len(articles) == 4
    with Store(db, readonly=True) as store:
        for article in articles:
            capture = store.capture(article["capture_id"])
            assert capture is not None and capture["url"] == article["fetched_url"]
            payload_from = None
            if capture["record_type"] == "revisit":
                original = store.capture(capture["refers_to"])
                payload_from = (file_path(original["warc_file"], db), original["warc_offset"])
            page = read_capture(file_path(capture["warc_file"], db), capture["warc_offset"],
                                payload_from=payload_from)
            result = ingest.process(page.body, capture["url"], config.sites["seed"],
                                    content_type=page.content_type)
            assert result.article is not None
            assert result.article.text == article["text"]
            assert result.article.content_hash == article["content_hash"]
            assert article["extractor_version"] == ingest.EXTRACTOR_VERSION


@pytest.mark.slow
def test_second_crawl_of_unchanged_pages_writes_revisits_not_copies(crawled):
    first, second = crawled["files"]
    assert second.stat().st_size < first.stat().st_size * 0.75
    second_run = [c for c in captures(crawled["db"]) if second.name in c["warc_file"]]
    assert second_run and all(c["record_type"] == "revisit" for c in second_run
                              if c["status"] == 200)
    for capture in second_run:
        if capture["status"] == 304:  # a conditional poll (issue 4) answered with no body
            continue
        assert capture["refers_to"] is not None
    # The revisit records carry no payload: the bodies live only in the first file.
    body = gzip.decompress(second.read_bytes())
    assert b"identical-payload-digest" in body
    assert b"RAIL workers will walk out" not in body
    assert b"RAIL workers will walk out" in gzip.decompress(first.read_bytes())


@pytest.mark.slow
def test_reextract_brings_dropped_articles_back_without_any_request(crawled, tmp_path):
    shutil.copytree(crawled["tmp"] / "warc", tmp_path / "warc")
    db = tmp_path / "archive.db"
    shutil.copy(crawled["db"], db)
    before = rows(db)
    server_log = len(crawled["server"].paths())
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM articles")
    conn.commit()
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 0
    conn.close()
    result = run_archiver("reextract", "--config", str(crawled["config"]), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 restored" in result.stdout
    after = rows(db)
    for row in before + after:
        row.pop("id")
    assert after == before
    assert len(crawled["server"].paths()) == server_log, "no request reached the server"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'walk'"
                        ).fetchone()[0] == 1
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == 4
    # Run again on a full table: nothing changes, nothing is duplicated.
    again = run_archiver("reextract", "--config", str(crawled["config"]), "--db", str(db))
    assert again.returncode == 0 and "0 restored, 0 updated" in again.stdout
    assert [dict(r, id=None) for r in rows(db)] == [dict(r, id=None) for r in after]


def test_reextract_updates_in_place_and_records_the_extractor(tmp_path):
    """A changed extraction rewrites the row without a new sighting (last_seen kept)."""
    db = tmp_path / "archive.db"
    page = (SEED_SITE / "article/f/rail-workers-announce-new-strike-dates.html").read_bytes()
    url = "http://127.0.0.1:9/article/f/rail-workers-announce-new-strike-dates"
    config = parse_config(f"""
[sites.seed]
domains = ["127.0.0.1"]
start_urls = ["{url}"]
""", tmp_path / "sites.toml")
    site = config.sites["seed"]
    with Store(db) as store, WarcWriter(tmp_path / "warc") as writer:
        moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
        capture_id, _ = CaptureRecorder(store, writer).record(
            Exchange(url=url, fetched_at=moment, status=200,
                     headers=[("Content-Type", "text/html; charset=utf-8")], body=page),
            site="seed", role="page")
        article = ingest.process(page, url, site).article
        article.text = "an older extractor's text"
        article.content_hash = "old"
        ingest.save(store, "seed", article, fetched_at="2024-06-01T00:00:00+00:00",
                    capture_id=capture_id)
        store.conn.execute("UPDATE articles SET extractor_version = 'old/0'")
        store.conn.commit()
    (tmp_path / "sites.toml").write_text(f"""
[sites.seed]
domains = ["127.0.0.1"]
start_urls = ["{url}"]
""", encoding="utf-8")
    result = run_archiver("reextract", "--config", str(tmp_path / "sites.toml"), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 updated" in result.stdout
    (row,) = rows(db)
    assert "RAIL workers will walk out" in row["text"]
    assert row["extractor_version"] == ingest.EXTRACTOR_VERSION
    assert row["last_seen"] == "2024-06-01T00:00:00+00:00", "not a new sighting"
    assert row["first_seen"] == "2024-05-01T12:00:00+00:00"


CAPTURE_SCRIPT = """
import sys
from warcio.capture_http import capture_http
import requests  # after capture_http, which patches http.client for it

path, gzipped, *urls = sys.argv[1:]
with capture_http(path, gzip=gzipped == "1"):
    for url in urls:
        requests.get(url, timeout=10)
"""


def _capture_http_warc(server: SiteServer, path: Path, gzipped: bool) -> None:
    """A WARC written by another tool: warcio's capture_http around `requests`, in its own
    process (it must patch http.client before urllib3 is first imported)."""
    urls = [server.url(p) for p in ["/", "/rss.xml", *seed_expected()["pages"]]]
    subprocess.run([sys.executable, "-c", CAPTURE_SCRIPT, str(path), "1" if gzipped else "0",
                    *urls], check=True, timeout=60)
    assert path.stat().st_size > 10_000


@pytest.mark.parametrize("gzipped", [True, False], ids=["gzip", "plain"])
def test_import_of_a_warc_written_by_another_tool(tmp_path, seed_server, gzipped):
    source = tmp_path / ("other.warc.gz" if gzipped else "other.warc")
    _capture_http_warc(seed_server, source, gzipped)
    requests_before = len(seed_server.paths())
    config = write_config(tmp_path / "sites.toml", seed_server, start_urls=["/"])
    db = tmp_path / "archive.db"
    result = run_archiver("import-warc", str(source), "--config", str(config), "--db", str(db))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 new" in result.stdout and "front_page 1" in result.stdout
    assert "not_html 1" in result.stdout  # the RSS feed
    assert len(seed_server.paths()) == requests_before
    expected = seed_expected()["pages"]
    got = {r["url"].removeprefix(seed_server.origin): r for r in rows(db)}
    assert sorted(got) == sorted(expected)
    for path, want in expected.items():
        assert got[path]["title"] == want["title"]
        for snippet in want["must_not_contain"]:
            assert snippet not in got[path]["text"]
        assert got[path]["site"] == "seed"
    # The kept pages are now the archive's own captures: standard files, re-extractable.
    (own,) = (tmp_path / "warc").glob("*.warc.gz")
    assert warcio("check", str(own)).returncode == 0
    again = run_archiver("reextract", "--config", str(config), "--db", str(db))
    assert again.returncode == 0 and "4 unchanged" in again.stdout, again.stdout


def test_import_of_unconfigured_sites_needs_the_flag(tmp_path, seed_server):
    source = tmp_path / "other.warc.gz"
    _capture_http_warc(seed_server, source, True)
    other = tmp_path / "sites.toml"
    other.write_text('[sites.elsewhere]\ndomains = ["example.org"]\n'
                     'start_urls = ["https://example.org/"]\n', encoding="utf-8")
    db = tmp_path / "archive.db"
    kept = run_archiver("import-warc", str(source), "--config", str(other), "--db", str(db))
    assert kept.returncode == 0 and "not_configured_site 5" in kept.stdout, kept.stdout
    assert rows(db) == []
    every = run_archiver("import-warc", str(source), "--config", str(other), "--db", str(db),
                         "--all-sites")
    assert every.returncode == 0, every.stdout + every.stderr
    assert {r["site"] for r in rows(db)} == {"127.0.0.1"} and len(rows(db)) == 4


def test_malformed_records_are_skipped_and_counted(tmp_path, seed_server):
    source = tmp_path / "good.warc.gz"
    _capture_http_warc(seed_server, source, True)
    data = source.read_bytes()
    members = _members(data)
    # A garbage member, a truncated member and random bytes between good records.
    lying = b"WARC/1.1\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort"
    broken = (members[0] + b"\x1f\x8b\x08\x00garbage-not-deflate" + members[1]
              + gzip.compress(lying) + b"\x00junk\xff" * 10 + b"".join(members[2:-1])
              + members[-1][: len(members[-1]) // 2])
    bad = tmp_path / "bad.warc.gz"
    bad.write_bytes(broken)
    db = tmp_path / "archive.db"
    config = write_config(tmp_path / "sites.toml", seed_server, start_urls=["/"])
    result = run_archiver("import-warc", str(bad), "--config", str(config), "--db", str(db))
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1, result.stdout + result.stderr  # completed, with problems
    malformed = int(result.stdout.split(" malformed")[0].rsplit(" ", 1)[1])
    assert malformed >= 2
    assert len(rows(db)) >= 3  # the intact article records still came in


def _members(data: bytes) -> list[bytes]:
    import zlib

    out = []
    while data:
        d = zlib.decompressobj(zlib.MAX_WBITS + 16)
        d.decompress(data)
        size = len(data) - len(d.unused_data)
        out.append(data[:size])
        data = data[size:]
    return out


WRITER_SCRIPT = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from archiver.warc.captures import CaptureRecorder
from archiver.store.archive import Store
from archiver.warc.files import Exchange, WarcWriter

db, page = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes()
recorder = CaptureRecorder(Store(db), WarcWriter(db.parent / "warc", max_bytes=20_000))
i = 0
while True:  # until killed
    recorder.record(Exchange(url=f"http://127.0.0.1:9/p{i}", status=200,
                             fetched_at=datetime.now(UTC), body=page + str(i).encode(),
                             headers=[("Content-Type", "text/html")]), site="s", role="page")
    i += 1
"""


@pytest.mark.slow
def test_a_killed_writer_leaves_every_indexed_capture_readable(tmp_path):
    import signal
    import time

    db = tmp_path / "archive.db"
    page = SEED_SITE / "index.html"
    Store(db).close()
    proc = subprocess.Popen([sys.executable, "-c", WRITER_SCRIPT, str(db), str(page)])
    try:
        deadline = time.monotonic() + 60
        while len(captures(db)) < 40 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    indexed = captures(db)
    assert len(indexed) >= 40
    files = sorted((tmp_path / "warc").glob("*.warc.gz*"))
    assert len(files) >= 2, "rotated by size"
    (live,) = [f for f in files if f.name.endswith(".open")]
    closed = next(f for f in files if f != live)
    # Also tear a record onto the live file, as a kill inside a write would. The torn bytes
    # come from a finished file: the kill may land before the live file's first record.
    with live.open("ab") as fh:
        fh.write(_members(closed.read_bytes())[-1][:100])
    # Before any repair, every indexed capture reads back (the `.open` file included).
    body = page.read_bytes()
    for c in indexed:
        assert read_capture(file_path(c["warc_file"], db), c["warc_offset"]).body.startswith(body)
    assert recover(tmp_path / "warc") == [Path(str(live)[: -len(".open")])]
    for file in sorted((tmp_path / "warc").glob("*")):
        assert file.name.endswith(".warc.gz")
        check = warcio("check", str(file))
        assert check.returncode == 0, check.stdout
    for c in indexed:
        assert read_capture(file_path(c["warc_file"], db), c["warc_offset"]).body.startswith(body)


def test_recover_finishes_a_file_killed_before_its_first_record(tmp_path):
    """The state a kill between creating a file and writing its warcinfo leaves (seen in CI)."""
    finished = WarcWriter(tmp_path, max_bytes=10_000_000)
    finished.write(Exchange(url="http://127.0.0.1:9/a", status=200, fetched_at=datetime.now(UTC),
                            body=b"<html>a</html>", headers=[("Content-Type", "text/html")]))
    finished.close()
    (done,) = finished.files
    torn = tmp_path / "crawl-x-00001.warc.gz.open"
    torn.write_bytes(_members(done.read_bytes())[-1][:100])  # only a torn record, no warcinfo
    assert recover(tmp_path) == [tmp_path / "crawl-x-00001.warc.gz"]
    assert (tmp_path / "crawl-x-00001.warc.gz").read_bytes() == b""
    assert warcio("check", str(tmp_path / "crawl-x-00001.warc.gz")).returncode == 0
    assert recover(tmp_path) == []  # nothing left `.open`


def test_export_round_trips_every_field_in_both_formats(tmp_path):
    db = tmp_path / "archive.db"
    site = parse_config('[sites.s]\ndomains = ["127.0.0.1"]\nstart_urls = ["http://127.0.0.1/"]\n'
                        ).sites["s"]
    with Store(db) as store:
        for path in seed_expected()["pages"]:
            page = (SEED_SITE / (path.lstrip("/") + ".html")).read_bytes()
            article = ingest.process(page, "http://127.0.0.1" + path, site).article
            ingest.save(store, "s", article, fetched_at="2024-01-02T03:04:05+00:00")
        expected = list(store.iter_articles())
        columns = store.article_columns()
    assert len(expected) == 4 and expected[0]["categories"] is not None
    jsonl = run_archiver("export", "--db", str(db), "--format", "jsonl")
    assert jsonl.returncode == 0, jsonl.stderr
    assert [json.loads(line) for line in jsonl.stdout.splitlines()] == expected
    out = tmp_path / "out.csv"
    as_csv = run_archiver("export", "--db", str(db), "--format", "csv", "-o", str(out))
    assert as_csv.returncode == 0, as_csv.stderr
    with open(out, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == columns
        parsed = []
        for row in reader:
            for key, value in row.items():
                if value == "":
                    row[key] = None
                elif key in ("categories", "tags"):
                    row[key] = json.loads(value)
                elif key in ("id", "word_count", "capture_id", "revision_count", "paywalled"):
                    row[key] = int(value)
            parsed.append(row)
    assert parsed == expected
    filtered = run_archiver("export", "--db", str(db), "--query", "walk", "--since",
                            "2023-01-01", "--site", "s")
    assert [json.loads(x)["title"] for x in filtered.stdout.splitlines()] == [
        "Rail workers announce new strike dates"]
    bad = run_archiver("export", "--db", str(db), "--query", '"unbalanced')
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_warc_config_keys_are_validated_in_one_line(tmp_path):
    text = ('[crawler]\nwarc_max_bytes = 0\n[sites.s]\ndomains = ["a.example"]\n'
            'start_urls = ["https://a.example/"]\n')
    with pytest.raises(ConfigError, match="warc_max_bytes.*at least 1"):
        parse_config(text)
    with pytest.raises(ConfigError, match="'warc_dir' must be a string"):
        parse_config(text.replace("warc_max_bytes = 0", "warc_dir = 3"))
    options = parse_config(text.replace("warc_max_bytes = 0", 'warc_dir = "raw"\nwarc = false'))
    assert options.crawler.warc_dir == "raw" and options.crawler.warc is False


@pytest.mark.slow
def test_warc_dir_option_and_switching_capture_off(tmp_path, seed_server):
    config = write_config(tmp_path / "sites.toml", seed_server, feeds=["/rss.xml"])
    db = tmp_path / "archive.db"
    result = run_archiver("crawl", "--config", str(config), "--db", str(db),
                          "--warc-dir", str(tmp_path / "raw"), "--log-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "raw").glob("*.warc.gz")) and not (tmp_path / "warc").exists()
    assert all(not Path(c["warc_file"]).is_absolute() for c in captures(db))
    config.write_text(config.read_text().replace("[crawler]", "[crawler]\nwarc = false"))
    db2 = tmp_path / "other.db"
    result = run_archiver("crawl", "--config", str(config), "--db", str(db2))
    assert result.returncode == 0, result.stderr
    assert captures(db2) == [] and len(rows(db2)) == 4
    assert all(r["capture_id"] is None for r in rows(db2))


