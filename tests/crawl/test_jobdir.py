"""`scrapy crawl news -s JOBDIR=...`: a resumable Scrapy job archives as a plain crawl does.

Scrapy's SpiderState extension gives the spider a `state` dict of its own whenever JOBDIR is
set (and pickles it into the job folder at the end): the spider keeps the archive's crawl state
under another name, so the two never meet. A real crawl of the seed site over loopback.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from archiver.store.archive import Store

from ..support import fail_on_scrapy_deprecations, query, write_config

pytestmark = pytest.mark.slow


def scrapy_crawl(folder: Path, jobdir: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=seed",
                             "-s", f"JOBDIR={jobdir}"],
                            cwd=folder, capture_output=True, text=True, timeout=120)
    fail_on_scrapy_deprecations(result.stderr)
    return result


def test_a_crawl_with_a_jobdir_archives_and_keeps_its_crawl_state(tmp_path, seed_server):
    root = Path(__file__).parents[2]
    shutil.copy(root / "scrapy.cfg", tmp_path / "scrapy.cfg")
    write_config(tmp_path / "sites.toml", seed_server, feeds=["/rss.xml"], start_urls=["/"])
    jobdir = tmp_path / "job"
    first = scrapy_crawl(tmp_path, jobdir)
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr, first.stderr[-3000:]
    db = tmp_path / "archive.db"
    assert Store(db, readonly=True).count() == 4
    assert (jobdir / "spider.state").exists()  # SpiderState ran, with a dict of its own
    # The archive's crawl state was written: the feed's validators, each article's revisit
    # state, and no URL left over on the frontier.
    assert query(db, "SELECT count(*) AS n FROM url_state WHERE article_url IS NULL "
                     "AND (etag IS NOT NULL OR last_modified IS NOT NULL)")[0]["n"] >= 1
    assert query(db, "SELECT count(DISTINCT article_url) AS n FROM url_state "
                     "WHERE article_url IS NOT NULL")[0]["n"] == 4
    assert query(db, "SELECT count(*) AS n FROM frontier")[0]["n"] == 0

    # The same job folder again: Scrapy resumes the job (its queue and seen requests are in
    # the folder, the spider's `state` dict is loaded back), and finds nothing left to do.
    second = scrapy_crawl(tmp_path, jobdir)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "Traceback" not in second.stderr, second.stderr[-3000:]
    assert Store(db, readonly=True).count() == 4
