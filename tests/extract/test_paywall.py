"""Paywalls are flagged, not guessed at (issue 18): what the page states (JSON-LD
`isAccessibleForFree`, `article:content_tier`, a closing subscribe prompt) sets
`articles.paywalled`, and the visible part of the story is archived."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import lxml.html
import pytest

from archiver.demo.siteserver import FIXTURE_ORIGIN, SiteServer
from archiver.extract.paywall import PROMPTS, ends_in_prompt, is_paywalled

from ..support import run_archiver, write_config

PARAGRAPHS = [
    "The harbour board voted on Tuesday to close the old ferry terminal by the end of the "
    "year, after a survey found the pier unsafe for the larger boats now in service.",
    "Fishermen who moor beside the terminal said they had not been consulted and asked the "
    "board to keep the western quay open until a new landing is built across the bay.",
    "The board's chair said the decision would be reviewed in the spring, once engineers "
    "have costed a repair of the pier against the price of a new terminal building.",
]


def _page(slug: str, title: str, *, head: str = "", tail: str = "") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | Bay News</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2024-03-05T08:00:00Z">
<link rel="canonical" href="{FIXTURE_ORIGIN}/news/{slug}">
{head}
</head><body><header><a href="/">Bay News</a></header>
<main><article><h1>{title}</h1><p class="byline">By Ana Ruiz</p>
{body}
{tail}
</article></main><footer>Bay News, all rights reserved.</footer></body></html>
"""


def _ld(**extra: object) -> str:
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "x", **extra}
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


PAGES = {
    "free-story": ("Ferry terminal to close", "", ""),
    "free-marked": ("Pier survey published", _ld(isAccessibleForFree=True), ""),
    "locked-ld": ("Quay stays open for now", _ld(isAccessibleForFree="False"), ""),
    "locked-part": ("Engineers cost the repair", _ld(
        isAccessibleForFree=True,
        hasPart={"@type": "WebPageElement", "isAccessibleForFree": False,
                 "cssSelector": ".paywall"}), ""),
    "metered": ("Board to review in spring",
                '<meta property="article:content_tier" content="metered">', ""),
    "prompt": ("Fishermen ask for a say", "",
               '<div class="wall"><p>Subscribe to continue reading.</p>'
               '<p><a href="/subscribe">Already a subscriber? Log in</a></p></div>'),
}
PAYWALLED = {"locked-ld", "locked-part", "metered", "prompt"}


@pytest.fixture
def site(tmp_path) -> Path:
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    for slug, (title, head, tail) in PAGES.items():
        (root / "news" / f"{slug}.html").write_text(_page(slug, title, head=head, tail=tail),
                                                    encoding="utf-8")
    links = "".join(f'<li><a href="/news/{slug}">{t}</a></li>' for slug, (t, _, _) in
                    PAGES.items())
    (root / "index.html").write_text(f"<!doctype html><html><head><title>Bay News</title>"
                                     f"</head><body><ul>{links}</ul></body></html>",
                                     encoding="utf-8")
    return root


@pytest.mark.slow
def test_paywalled_articles_are_archived_with_their_visible_text_and_flagged(tmp_path, site):
    db = tmp_path / "archive.db"
    with SiteServer(site) as server:
        config = write_config(tmp_path / "sites.toml", server, start_urls=["/"],
                              extra="follow_depth = 1", drop=[])
        result = run_archiver("crawl", "--config", str(config), "--db", str(db), cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
    _assert_flagged(db, result.stdout)

    # Every other path that writes articles writes the flag: re-extraction (a missing row
    # restored, an existing row's metadata corrected in place) and WARC import.
    with sqlite3.connect(db) as conn:
        conn.execute("DELETE FROM articles WHERE url LIKE '%/locked-ld'")
        conn.execute("UPDATE articles SET paywalled = 0")
    result = run_archiver("reextract", "--config", str(config), "--db", str(db))
    assert result.returncode == 0 and "1 restored" in result.stdout, result.stdout
    _assert_flagged(db, result.stdout)
    imported = tmp_path / "imported.db"
    result = run_archiver("import-warc", *map(str, (tmp_path / "warc").glob("*.warc.gz")),
                          "--config", str(config), "--db", str(imported))
    assert result.returncode == 0, result.stdout + result.stderr
    _assert_flagged(imported, result.stdout)
    # The import records what it judged no article, as a crawl does: the front page.
    with sqlite3.connect(imported) as conn:
        assert conn.execute("SELECT url, site, reason, run_id FROM skipped_pages").fetchall() == [
            (server.origin + "/", "seed", "front_page", None)]
    # Datasette facets on it (the bundled metadata names the column).
    from archiver.analysis.serve import build_metadata
    from archiver.store.archive import Store

    with Store(db, readonly=True) as store:
        facets = build_metadata(store.tables())["databases"]["archive"]["tables"]["articles"]
    assert "paywalled" in facets["facets"]
    # An archive from before the column is served without that facet (Datasette would fail).
    older = build_metadata({"articles": ["id", "url", "site", "tags", "published"]})
    assert older["databases"]["archive"]["tables"]["articles"]["facets"] == [
        "site", {"array": "tags"}, {"month": "published"}]


def _assert_flagged(db: Path, output: str) -> None:
    conn = sqlite3.connect(db)
    rows = {url.rsplit("/", 1)[1]: (flag, text) for url, flag, text in conn.execute(
        "SELECT url, paywalled, text FROM articles")}
    conn.close()
    assert set(rows) == set(PAGES), output  # none is dropped for being paywalled
    for slug, (flag, text) in rows.items():
        assert flag == (1 if slug in PAYWALLED else 0), slug
        for paragraph in PARAGRAPHS:  # the visible part is kept, whole
            assert paragraph in text, (slug, text)


def _tree(head: str = "", body: str = "") -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(f"<html><head>{head}</head><body>{body}</body></html>")


def test_json_ld_and_content_tier_decide_as_stated():
    tree = _tree()
    assert is_paywalled(tree, [{"@type": "NewsArticle", "isAccessibleForFree": False}], "")
    assert is_paywalled(tree, [{"isAccessibleForFree": "false"}], "")
    assert is_paywalled(tree, [{"hasPart": [{"isAccessibleForFree": "False"}]}], "")
    assert not is_paywalled(tree, [{"isAccessibleForFree": True}], "")
    assert not is_paywalled(tree, [{"isAccessibleForFree": "True", "hasPart": "x"}], "")
    for tier, flagged in (("locked", True), ("metered", True), ("free", False),
                          ("Free ", False), ("", False)):
        head = f'<meta property="article:content_tier" content="{tier}">'
        assert is_paywalled(_tree(head), [], "") is flagged, tier


def test_a_subscribe_prompt_counts_only_at_the_end():
    story = "\n".join(PARAGRAPHS)
    assert ends_in_prompt(story + "\nSubscribe to continue reading")
    assert ends_in_prompt(story + "\nCet article est réservé aux abonnés.")
    assert ends_in_prompt(story + "\nSUSCRÍBETE PARA SEGUIR LEYENDO")
    assert not ends_in_prompt(story)
    # The words inside a long story are reporting, not a wall.
    assert not ends_in_prompt("The paper said: subscribe to continue reading. " + story * 3)
    # Extraction may leave the prompt out: the page's main element still ends with it.
    tree = _tree(body=f"<article><p>{PARAGRAPHS[0]}</p><p>Nur für Abonnenten</p></article>")
    assert is_paywalled(tree, [], PARAGRAPHS[0])
    assert all(p == p.lower() and p.strip() == p for ps in PROMPTS.values() for p in ps)
