"""Generate a deterministic news site of realistic article pages (40–150 KB) into a folder.

Pages carry what real news pages carry around the story — navigation, inline scripts and
state blobs, a style block, sidebars, promos, a cookie banner, JSON-LD and Open Graph — so
extraction works as hard as it does on the web. The site has robots.txt (with a Sitemap line),
one sitemap and an RSS feed. Absolute URLs use SiteServer's fixture origin, which the server
rewrites to its own.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

from archiver.demo.siteserver import FIXTURE_ORIGIN

SECTIONS = ["world", "politics", "business", "science", "climate", "health", "culture",
            "sport", "technology", "opinion", "europe", "americas", "asia", "africa"]
AUTHORS = ["Ana Ruiz", "Tom Becker", "Mei Lin", "Olu Adeyemi", "Sara Novak", "Jon Halvorsen",
           "Priya Nair", "Luca Moretti", "Fatima Zahra", "Pedro Alves", "Kim Seo-yeon"]
_SYLLABLES = ["ka", "lo", "mi", "ter", "an", "vel", "dra", "son", "pri", "co", "ne", "sta",
              "gor", "li", "ma", "ren", "tu", "bel", "qui", "nor", "ha", "zen", "fi", "ost"]
_COMMON = ("the of and to in a is that for it as was with be by on not he this are or his "
           "from at which but have an they you were her she there been one all would will "
           "government minister said people year city report country police market week "
           "company public new officials water plan law court health school").split()


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    """Pseudo-words, so word frequencies (and FTS posting lists) look like a language."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return _COMMON + sorted(words)


def sentences(rng: random.Random, vocab: list[str], count: int) -> list[str]:
    """Sentences drawn with a Zipf-like weighting, common words first."""
    weights = [1.0 / (rank + 8) for rank in range(len(vocab))]
    out = []
    for _ in range(count):
        words = rng.choices(vocab, weights=weights, k=rng.randint(9, 24))
        out.append(words[0].capitalize() + " " + " ".join(words[1:]) + ".")
    return out


def _script_blob(rng: random.Random, size: int) -> str:
    """An inline state/analytics script of about `size` bytes, as news sites ship them."""
    items = []
    total = 0
    while total < size:
        item = {"id": rng.randrange(10**9), "slot": f"ad-{rng.randrange(999)}",
                "targeting": {"kw": [rng.choice(SECTIONS) for _ in range(4)],
                              "pos": rng.choice(["top", "mid", "bottom", "rail"])},
                "html": "<div class=\\\"ad\\\">" + "x" * rng.randint(40, 200) + "</div>"}
        text = json.dumps(item)
        items.append(text)
        total += len(text) + 1
    return "window.__STATE__ = [" + ",".join(items) + "];"


def _links(rng: random.Random, count: int, n_pages: int) -> str:
    out = []
    for _ in range(count):
        i = rng.randrange(n_pages)
        out.append(f'<li><a href="{FIXTURE_ORIGIN}/news/{SECTIONS[i % len(SECTIONS)]}/'
                   f'story-{i:05d}">Story {i}: {rng.choice(_COMMON).capitalize()} '
                   f'{rng.choice(_COMMON)} update</a></li>')
    return "<ul>" + "".join(out) + "</ul>"


def page_url(i: int) -> str:
    return f"{FIXTURE_ORIGIN}/news/{SECTIONS[i % len(SECTIONS)]}/story-{i:05d}"


def article_page(i: int, n_pages: int, pool: list[str], base: datetime) -> tuple[str, str]:
    """One article page (deterministic in `i`): its title and its HTML."""
    rng = random.Random(i * 7919 + 17)
    section = SECTIONS[i % len(SECTIONS)]
    url = page_url(i)
    title = " ".join(rng.choice(pool).rstrip(".").split()[:9]).title() + f" ({i})"
    author = rng.choice(AUTHORS)
    published = (base - timedelta(minutes=37 * i)).isoformat()
    target = rng.randint(40_000, 150_000)
    paragraphs = [rng.choice(pool) + " " + rng.choice(pool) + " " + rng.choice(pool)
                  for _ in range(rng.randint(10, 30))]
    body_parts = []
    for n, para in enumerate(paragraphs):
        body_parts.append(f"<p>{escape(para)}</p>")
        if n == 3:
            body_parts.append('<aside class="promo inline-promo"><h3>Support our journalism'
                              '</h3><p>Subscribe today for unlimited access to all articles.'
                              '</p><a href="/subscribe">Subscribe</a></aside>')
        if n == 8:
            body_parts.append(f'<div class="related"><h4>Related</h4>{_links(rng, 4, n_pages)}'
                              "</div>")
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
          "datePublished": published, "dateModified": published, "articleSection": section,
          "author": {"@type": "Person", "name": author},
          "keywords": ", ".join(rng.sample(SECTIONS, 3)),
          "publisher": {"@type": "Organization", "name": "Bench Daily"}}
    nav = "".join(f'<li><a href="{FIXTURE_ORIGIN}/section/{s}">{s.title()}</a></li>'
                  for s in SECTIONS)
    head = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(title)} | Bench Daily</title>
<meta name="description" content="{escape(paragraphs[0][:150])}">
<meta property="og:type" content="article"><meta property="og:title" content="{escape(title)}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{published}">
<meta property="article:section" content="{section}">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/static/site.css"><link rel="stylesheet" href="/static/print.css">
<style>{".c{color:#333;margin:0 auto;padding:4px}" * 60}</style>
<script type="application/ld+json">{json.dumps(ld)}</script>
<script>(function(){{var d=document,s=d.createElement('script');s.async=1;
s.src='/static/analytics.js';d.head.appendChild(s)}})();</script>
</head><body class="article-page">
<div id="cookie-banner"><p>We use cookies to improve your experience.</p>
<button>Accept all</button><button>Settings</button></div>
<header class="site-header"><a class="logo" href="/">Bench Daily</a>
<nav class="main-nav"><ul>{nav}</ul></nav>
<div class="ticker">Breaking: {escape(rng.choice(pool))}</div></header>
<main><div class="layout"><article class="story">
<h1>{escape(title)}</h1>
<p class="byline">By <a rel="author" href="/authors/{author.split()[0].lower()}">{author}</a>
 · <time datetime="{published}">{published[:10]}</time></p>
<div class="story-body">{"".join(body_parts)}</div>
<div class="tags">{"".join(f'<a rel="tag" href="/tag/{t}">{t}</a>' for t in ld["keywords"]
                            .split(", "))}</div>
</article>
<aside class="sidebar"><section class="most-read"><h3>Most read</h3>{_links(rng, 10, n_pages)}
</section><section class="newsletter"><h3>Newsletter</h3><p>The day's news in your inbox
every morning.</p><form><input type="email"><button>Sign up</button></form></section>
<section class="promo"><h3>Try our app</h3><p>Read offline, get alerts.</p></section>
</aside></div></main>
<footer class="site-footer">{_links(rng, 20, n_pages)}<p>© Bench Daily. All rights reserved.
</p></footer>
"""
    tail = "</body></html>\n"
    pad = max(0, target - len(head) - len(tail) - 40)
    html = head + f"<script>{_script_blob(rng, pad)}</script>\n" + tail
    return title, html


def generate(root: Path, n_pages: int, seed: int = 8,
             sitemap_sizes: tuple[int, ...] = ()) -> list[str]:
    """Write the site into `root`; return the article URLs (with the fixture origin).

    Besides `sitemap.xml` (every page), `sitemap-N.xml` lists the first N pages for each N in
    `sitemap_sizes`, so one generated site serves crawls of several sizes.
    """
    rng = random.Random(seed)
    pool = sentences(rng, vocabulary(rng), 4000)
    base = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    root.mkdir(parents=True, exist_ok=True)
    urls, items = [], []
    for i in range(n_pages):
        title, html = article_page(i, n_pages, pool, base)
        url = page_url(i)
        path = root / (url.removeprefix(FIXTURE_ORIGIN + "/") + ".html")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
        urls.append(url)
        if i < 50:
            items.append(f"<item><title>{escape(title)}</title><link>{url}</link>"
                         f"<pubDate>{(base - timedelta(minutes=37 * i)):%a, %d %b %Y %H:%M:%S}"
                         " +0000</pubDate></item>")
    for name, listed in [("sitemap.xml", urls)] + [(f"sitemap-{n}.xml", urls[:n])
                                                   for n in sitemap_sizes]:
        (root / name).write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "".join(f"<url><loc>{u}</loc></url>\n" for u in listed) + "</urlset>\n",
            encoding="utf-8")
    (root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Bench Daily</title><link>{FIXTURE_ORIGIN}/</link>" + "".join(items)
        + "</channel></rss>\n", encoding="utf-8")
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {FIXTURE_ORIGIN}"
                                     "/sitemap.xml\n", encoding="utf-8")
    (root / "index.html").write_text(
        "<html><body><h1>Bench Daily</h1>" + _links(rng, 30, n_pages) + "</body></html>",
        encoding="utf-8")
    return urls


if __name__ == "__main__":
    import sys

    generate(Path(sys.argv[1]), int(sys.argv[2]))
