"""Golden files per fixture site (stored HTML + expected JSON), parametrized over every site.

Two checks per site: each page alone gives the expected metadata and keeps the story's snippets
(`analyse`), and the whole site stored into an archive (template learned from its own pages,
as in a crawl) leaks no `must_not_contain` snippet and keeps every `must_contain` one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver.config import selector_to_xpath
from archiver.extract.page import analyse
from evaluation.gate import score_site
from evaluation.scoring import squash

from ..support import FIXTURES, SEED_DROP

ORIGIN = "http://127.0.0.1:8000"
SITES = sorted(p.parent.name for p in FIXTURES.glob("*/expected.json"))
#: Sites too small to learn a template from are stored with their selector rules.
RULES = {"seed-site": tuple(selector_to_xpath(s) for s in SEED_DROP)}


def expected(site: str) -> dict[str, dict]:
    return json.loads((FIXTURES / site / "expected.json").read_text(encoding="utf-8"))["pages"]


def page_file(site: str, path: str) -> Path:
    return FIXTURES / site / (path.lstrip("/") + ".html")


def test_there_are_at_least_three_template_sites_of_our_own():
    assert len([s for s in SITES if s.startswith("tmpl-")]) >= 3
    assert "seed-site" in SITES


@pytest.mark.parametrize("site,path", [(s, p) for s in SITES for p in expected(s)])
def test_page_matches_its_golden_metadata(site, path):
    want = expected(site)[path]
    result = analyse(page_file(site, path).read_bytes(), ORIGIN + path, domains=("127.0.0.1",),
                     drop_xpath=RULES.get(site, ()))
    article = result.article
    assert article is not None, result.reason
    assert article.title == want["title"]
    if want.get("author") is not None:
        assert article.author == want["author"]
    assert article.published[:10] == want["date"]
    assert article.language == want["language"]
    text = squash(article.text)
    for snippet in want["must_contain"]:
        assert squash(snippet) in text, snippet


@pytest.mark.parametrize("site", SITES)
def test_site_stored_whole_has_no_leaks_and_keeps_the_story(site):
    report = score_site(FIXTURES / site, ORIGIN, drop_xpath=RULES.get(site, ()))
    assert report.archived == report.pages
    assert report.leaked == 0, report.misses
    assert report.kept == report.must_contain, report.misses
    if site.startswith("tmpl-"):
        assert report.bare_leaked > 0  # the template really does defeat plain trafilatura
