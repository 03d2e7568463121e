"""The paths the benchmark made faster keep their behaviour: re-extraction that reads WARC
records in the workers, the ordered sliding window of `ingest.process_all`, WARC members
written at our own gzip level, and importing archiver without pandas."""

from __future__ import annotations

import gzip
import multiprocessing
import sqlite3
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from archiver.config import parse_config
from archiver.crawl import ingest
from archiver.extract.page import Article, content_hash
from archiver.store.archive import _INSERT_COLUMNS, Store
from archiver.warc.captures import CaptureRecorder
from archiver.warc.files import Exchange, WarcError, WarcWriter

from ..support import SEED_SITE, run_archiver

PAGES = sorted((SEED_SITE / "article").rglob("*.html"))
ORIGIN = "http://127.0.0.1:9"


def _url(path: Path) -> str:
    return f"{ORIGIN}/{path.relative_to(SEED_SITE).with_suffix('').as_posix()}"


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "sites.toml"
    config.write_text(f'[sites.seed]\ndomains = ["127.0.0.1"]\nstart_urls = ["{ORIGIN}/"]\n',
                      encoding="utf-8")
    return config


def _captured(tmp_path: Path) -> tuple[Path, list[tuple[int, str]]]:
    """An archive with every seed page captured in WARC and no article stored yet."""
    db = tmp_path / "archive.db"
    done = []
    with Store(db) as store, WarcWriter(tmp_path / "warc") as writer:
        recorder = CaptureRecorder(store, writer)
        for i, page in enumerate(PAGES):
            capture_id, _ = recorder.record(
                Exchange(url=_url(page), fetched_at=datetime(2024, 5, 1, 12, i, tzinfo=UTC),
                         status=200, headers=[("Content-Type", "text/html; charset=utf-8")],
                         body=page.read_bytes()), site="seed", role="page")
            done.append((capture_id, _url(page)))
    return db, done


def test_reextract_in_workers_counts_an_unreadable_record_and_restores_the_rest(tmp_path):
    db, captures = _captured(tmp_path)
    broken_id, broken_url = captures[1]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE captures SET warc_offset = warc_offset + 7 WHERE id = ?", (broken_id,))
    conn.commit()
    conn.close()
    result = run_archiver("reextract", "--config", str(_config(tmp_path)), "--db", str(db),
                          "--workers", "2")
    assert result.returncode == 1, result.stdout + result.stderr  # PARTIAL
    assert f"re-extracted {len(PAGES) - 1} captures: {len(PAGES) - 1} restored" in result.stdout
    assert "warc_unreadable 1" in result.stdout
    conn = sqlite3.connect(db)
    urls = {u for (u,) in conn.execute("SELECT url FROM articles")}
    assert urls == {u for _, u in captures} - {broken_url}
    assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == len(PAGES) - 1


def test_process_all_window_keeps_order_and_reuses_results(tmp_path):
    site = parse_config(_config(tmp_path).read_text(), tmp_path / "sites.toml").sites["seed"]
    jobs = []
    for page in PAGES:
        jobs.append(ingest.Job(page.read_bytes(), _url(page), site, context=page.name))
        jobs.append(ingest.Job(None, _url(page), site, context=page.name + " again"))
    inline = list(ingest.process_all(jobs, None))
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        pooled = list(ingest.process_all(jobs, pool, batch=3))  # smaller than the job list
    assert [j.context for j, _ in pooled] == [j.context for j in jobs]
    titles = [r.article.title for _, r in inline]
    assert titles == [r.article.title for _, r in pooled]
    assert all(titles) and titles[0::2] == titles[1::2]


def test_process_capture_reads_the_record_or_raises_warc_error(tmp_path):
    db, captures = _captured(tmp_path)
    site = parse_config(_config(tmp_path).read_text(), tmp_path / "sites.toml").sites["seed"]
    with Store(db) as store:
        row = store.capture(captures[0][0])
    path = db.parent / row["warc_file"]
    result = ingest.process_capture((path, row["warc_offset"], None), row["url"], site)
    expected = ingest.process(PAGES[0].read_bytes(), row["url"], site)
    assert result.article is not None and result.article.text == expected.article.text
    try:
        ingest.process_capture((path, row["warc_offset"] + 3, None), row["url"], site)
    except WarcError as exc:
        # which of the two refusals depends on the bytes at the bad offset (the gzip header
        # holds a timestamp): unreadable, or read as some record that holds no response
        message = str(exc)
        assert f"@{row['warc_offset'] + 3}: " in message
        assert "cannot read WARC record" in message or "has no HTTP response" in message
    else:
        raise AssertionError("a bad offset must raise WarcError")


def test_each_warc_record_is_one_gzip_member_of_the_indexed_length(tmp_path):
    db, captures = _captured(tmp_path)
    with Store(db) as store:
        for capture_id, url in captures:
            row = store.capture(capture_id)
            data = (db.parent / row["warc_file"]).read_bytes()
            member = data[row["warc_offset"]:row["warc_offset"] + row["warc_length"]]
            text = gzip.decompress(member)  # one whole member, nothing after it
            assert text.startswith(b"WARC/1.1\r\n") and url.encode() in text
            assert b"WARC-Type: response" in text and b"WARC-Type: request" not in text


def _python(code: str) -> subprocess.CompletedProcess[str]:
    """`code` in a fresh interpreter from the repository's root (what it imports is counted
    from a clean start)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2])


def test_importing_archiver_leaves_pandas_out_but_importable():
    code = ("import sys, archiver, archiver.store.archive, sqlite_utils.db as d; "
            "assert 'pandas' not in sys.modules and d.pd is None; "
            "import pandas; print('ok', pandas.__name__)")
    out = _python(code)
    assert out.returncode == 0 and "ok pandas" in out.stdout, out.stderr
    first = ("import pandas, archiver, sqlite_utils.db as d; assert d.pd is pandas; print('ok')")
    out = _python(first)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr


def test_the_crawl_process_loads_neither_numpy_nor_the_extractor():
    """The crawl process never extracts (the pool does): it holds no numpy, trafilatura or
    language model, about 20 MB (bench/ row 5); numpy stays importable afterwards."""
    code = ("import sys, archiver, archiver.crawl.run, archiver.crawl.pipeline, archiver.cli, "
            "spiders.news, sqlite_utils.db as d; "
            "loaded = [m for m in ('numpy', 'trafilatura', 'py3langid') if m in sys.modules]; "
            "assert not loaded and d.np is None, loaded; "
            "import numpy; print('ok', numpy.__name__)")
    out = _python(code)
    assert out.returncode == 0 and "ok numpy" in out.stdout, out.stderr


def test_full_text_is_reindexed_only_when_an_indexed_column_changes(tmp_path):
    with Store(tmp_path / "archive.db") as store:
        conn = store.conn
        conn.execute("INSERT INTO articles (url, site, title, text, content_hash, first_seen, "
                     "last_seen) VALUES ('http://x/a', 'x', 'Harbour', 'the ferry sails', 'h', "
                     "'t', 't')")
        fired: list[str] = []
        conn.set_trace_callback(fired.append)
        conn.execute("UPDATE articles SET last_seen = 'later', raw_text = 'r', capture_id = 1")
        assert not [s for s in fired if "articles_fts" in s], fired  # FTS5 left untouched
        conn.execute("UPDATE articles SET text = 'the train leaves'")
        assert [s for s in fired if "articles_fts" in s], fired
        conn.set_trace_callback(None)

        def match(q: str) -> int:
            return conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?",
                                (q,)).fetchone()[0]

        assert (match("train"), match("ferry"), match("harbour")) == (1, 0, 1)
        conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")


def test_an_extraction_worker_loads_no_store():
    """What a pool worker imports (the pool's call and the ingest path) leaves sqlite-utils,
    click and Scrapy out: about 6 MB a worker (bench/ row 5)."""
    code = ("import sys, archiver.crawl.pool, archiver.crawl.ingest; "
            "loaded = [m for m in ('sqlite_utils', 'click', 'scrapy', 'archiver.store.archive') "
            "if m in sys.modules]; assert not loaded, loaded; "
            "from archiver import Store; print('ok', Store.__name__)")
    out = _python(code)
    assert out.returncode == 0 and "ok Store" in out.stdout, out.stderr


def test_scrapy_starts_few_item_tasks_per_response():
    """Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's output; its default
    (100) was 200,000 tasks per 2,000 pages on the reactor thread (bench/ row 1). A page yields
    one item, so archiver's settings keep it small."""
    from scrapy.settings import Settings

    from archiver.crawl import settings as archive_settings

    defaults = Settings()
    ours = Settings()
    ours.setmodule(archive_settings, priority="project")
    assert 1 <= ours.getint("CONCURRENT_ITEMS") <= 8 < defaults.getint("CONCURRENT_ITEMS")


def test_the_crawl_keeps_four_pages_waiting_per_extraction_worker():
    """Two per worker left the cores about 9% idle in a 2,000-page crawl (a worker out of
    pages while the reactor commits or parses a sitemap); four left 6-7% (bench/ row 1)."""
    import asyncio

    from scrapy.utils.test import get_crawler

    from archiver.crawl.pipeline import ArchivePipeline

    async def pages_let_in(slots: asyncio.Semaphore) -> int:
        taken = 0
        while not slots.locked():
            await slots.acquire()
            taken += 1
        return taken

    for count in (1, 2, 3):
        crawler = get_crawler(settings_dict={"ARCHIVE_EXTRACT_WORKERS": count})
        assert asyncio.run(pages_let_in(ArchivePipeline.from_crawler(crawler).slots)) == 4 * count


def _articles(n: int) -> list[Article]:
    return [Article(url=f"http://x/a/{i}", fetched_url="", title=f"Harbour story {i}",
                    text=f"The ferry number {i} sails at dawn.\n\nThe harbour master waved.",
                    content_hash=content_hash(f"Harbour story {i}", str(i)))
            for i in range(n)]


def test_a_batch_of_new_articles_becomes_one_full_text_segment(tmp_path):
    """FTS5 writes what it buffered as a new segment whenever a statement writing it begins:
    inserting a batch row by row left one segment per article (merged again and again by its
    automerge). One multi-row INSERT per batch leaves one (bench/ row 3: about 2× faster)."""
    with Store(tmp_path / "archive.db") as store:
        store.conn.execute("INSERT INTO articles_fts (articles_fts, rank) VALUES ('automerge', 0)")
        store.conn.commit()
        assert store.save_articles("x", _articles(300)) == ["new"] * 300
        assert store.index_segments() == 1
        assert len(store.search("harbour", limit=500)) == 300
        # SQLite builds with a lower limit on host parameters get one segment per chunk
        store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 50 * len(_INSERT_COLUMNS))
        more = [replace(a, url=a.url + "/b") for a in _articles(120)]
        assert store.save_articles("x", more) == ["new"] * 120
        assert store.index_segments() == 1 + 3
        assert len(store.search("harbour", limit=500)) == 420
        store.conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('integrity-check')")
