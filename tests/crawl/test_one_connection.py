"""A crawl process writes the archive through one connection, whatever the number of sites.

Every component of every site's crawler (spider, pipeline, capture and conditional-GET
middlewares) runs on the one reactor thread; each used to open the archive (and run the
migrations) for itself: four connections per site. A real two-site crawl over loopback, in a
subprocess (Scrapy's reactor cannot restart), counting the writable `Store`s it opens.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from ..support import fail_on_scrapy_deprecations, toml_list, write_config

pytestmark = pytest.mark.slow

CRAWL_COUNTING_STORES = """
import sys
from pathlib import Path

from archiver.config import load_config
from archiver.crawl.run import run_crawl
from archiver.store.archive import Store

opened = []
plain = Store.__init__


def counted(self, path, *, readonly=False, check=False):
    if not readonly:
        opened.append(str(path))
    plain(self, path, readonly=readonly, check=check)


Store.__init__ = counted
summary = run_crawl(load_config(Path(sys.argv[1])), Path(sys.argv[2]), log_level="WARNING")
print("writable-stores", len(opened), "sites", len(summary.sites), "articles",
      summary.total_articles, "exit", int(summary.exit_code))
"""


def test_a_two_site_crawl_opens_one_write_connection(tmp_path, seed_server):
    config = write_config(tmp_path / "sites.toml", seed_server, feeds=["/rss.xml"])
    with config.open("a", encoding="utf-8") as out:  # a second site, found by its sitemap
        out.write(f"""
[sites.other]
domains = ["127.0.0.1"]
sitemaps = {toml_list([seed_server.origin + "/sitemap.xml"])}
""")
    done = subprocess.run([sys.executable, "-c", CRAWL_COUNTING_STORES, str(config),
                           str(tmp_path / "archive.db")], capture_output=True, text=True,
                          timeout=180, cwd=Path(__file__).resolve().parents[2])
    fail_on_scrapy_deprecations(done.stderr)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "writable-stores 1 sites 2 articles 4 exit 0" in done.stdout, (
        done.stdout + done.stderr[-3000:])
