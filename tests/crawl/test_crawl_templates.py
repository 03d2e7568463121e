"""Real crawls of the template fixture sites: the learned template leaves every article, without
selector rules; `archiver boilerplate` shows it and `archiver reclean` re-applies overrides."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.demo.siteserver import SiteServer
from archiver.store.archive import Store
from evaluation.scoring import squash

from ..support import FIXTURES, run_archiver, write_config

pytestmark = pytest.mark.slow


def assert_no_leaks(db: Path, origin: str, site: str, name: str) -> None:
    expected = json.loads((FIXTURES / site / "expected.json").read_text("utf-8"))["pages"]
    with Store(db, readonly=True) as store:
        rows = {r["url"].removeprefix(origin): r for r in store.articles(name)}
    assert sorted(rows) == sorted(expected)
    for path, want in expected.items():
        text = squash(rows[path]["text"])
        for snippet in want["must_contain"]:
            assert squash(snippet) in text, (path, snippet)
        for snippet in want["must_not_contain"]:
            assert squash(snippet) not in text, (path, snippet)
        assert rows[path]["word_count"] == len(rows[path]["text"].split())


@pytest.mark.parametrize("site", ["tmpl-zeitung", "tmpl-journal"])  # tmpl-coop: below
def test_crawled_template_site_has_no_leaks(tmp_path: Path, site: str):
    with SiteServer(FIXTURES / site) as server:
        config = write_config(tmp_path / "sites.toml", server, name="t",
                              sitemaps=["/robots.txt"], drop=[])
        db = tmp_path / "archive.db"
        result = run_archiver("crawl", "--config", str(config), "--db", str(db), cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert_no_leaks(db, server.origin, site, "t")


def test_boilerplate_lists_the_template_and_reclean_applies_keep_rules(tmp_path: Path):
    site = FIXTURES / "tmpl-coop"
    with SiteServer(site) as server:
        config = write_config(tmp_path / "sites.toml", server, name="coop",
                              sitemaps=["/sitemap.xml"], drop=[])
        db = tmp_path / "archive.db"
        result = run_archiver("crawl", "--config", str(config), "--db", str(db), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert_no_leaks(db, server.origin, "tmpl-coop", "coop")
    listed = run_archiver("boilerplate", "--site", "coop", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    promo = next(line for line in listed.stdout.splitlines() if "OWNED BY OUR READERS" in line)
    assert promo.split()[:2] == ["24", "yes"]
    as_json = json.loads(run_archiver("boilerplate", "--site", "coop", "--db", str(db),
                                      "--format", "json").stdout)
    assert any(b["text"].startswith("Fighting fund") and b["removed"] for b in as_json)

    unchanged = run_archiver("reclean", "--db", str(db), "--config", str(config))
    assert unchanged.returncode == 0, unchanged.stderr
    assert "reclean: 0 of 24 articles changed" in unchanged.stdout

    text = config.read_text("utf-8") + 'keep_text = ["owned by our readers"]\n'
    config.write_text(text, "utf-8")
    changed = run_archiver("reclean", "--site", "coop", "--db", str(db), "--config", str(config))
    assert changed.returncode == 0, changed.stderr
    assert "reclean: 24 of 24 articles changed" in changed.stdout
    with Store(db, readonly=True) as store:
        assert all("OWNED BY OUR READERS" in r["text"] for r in store.articles("coop"))
        assert store.search('"reader-owned"', limit=50)
    listed = run_archiver("boilerplate", "--site", "coop", "--db", str(db))
    assert "yes" not in next(ln for ln in listed.stdout.splitlines() if "OWNED BY" in ln)


def test_reclean_and_boilerplate_give_one_line_errors(tmp_path: Path):
    missing = run_archiver("reclean", "--db", str(tmp_path / "none.db"),
                           "--config", str(tmp_path / "absent.toml"))
    assert missing.returncode == 3
    assert missing.stderr.strip().count("\n") == 0 and "no such archive" in missing.stderr
    listed = run_archiver("boilerplate", "--site", "x", "--db", str(tmp_path / "none.db"))
    assert listed.returncode == 3 and "Traceback" not in listed.stderr
    assert run_archiver("boilerplate", "--help").returncode == 0
    assert "keep_text" in run_archiver("boilerplate", "--help").stdout
