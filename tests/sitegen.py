"""Generate a news site of N small articles with a sitemap, for distributed-crawl tests and bench.

Written at test time into a temporary folder and served by archiver.demo.siteserver.SiteServer
(absolute URLs use the fixture origin, which the server rewrites to its own).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

from archiver.demo.siteserver import FIXTURE_ORIGIN

WORDS = ("council budget river harbour school election minister festival railway hospital "
         "market weather farmers museum court police library bridge vote union factory "
         "teachers drought harvest tourism housing energy transport climate protest report "
         "village mayor students doctors nurses workers station airport ferry coast storm "
         "stadium orchestra archive digital ministry treaty border export import wages").split()


def article_path(i: int) -> str:
    return f"/news/{i:04d}-story"


def _paragraphs(rng: random.Random, i: int) -> list[str]:
    paras = []
    for p in range(4):
        words = [rng.choice(WORDS) for _ in range(38)]
        paras.append(f"Story {i} paragraph {p}: " + " ".join(words).capitalize() + ".")
    return paras


def generate_site(root: Path, n: int = 500, *, seed: int = 9) -> list[str]:
    """Write `n` articles, an index page and a sitemap under `root`; return the article paths."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "news").mkdir(exist_ok=True)
    paths = []
    day = date(2024, 1, 1)
    for i in range(n):
        path = article_path(i)
        paths.append(path)
        published = (day + timedelta(days=i % 365)).isoformat()
        title = f"Story {i}: the {rng.choice(WORDS)} and the {rng.choice(WORDS)}"
        body = "\n".join(f"<p>{p}</p>" for p in _paragraphs(rng, i))
        (root / f"{path.lstrip('/')}.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="{published}T08:00:00+00:00">
<link rel="canonical" href="{FIXTURE_ORIGIN}{path}">
</head><body><header><a href="/">Gen News</a></header>
<article><h1>{title}</h1><p class="byline">By Staff Reporter</p>
<time datetime="{published}">{published}</time>
{body}
</article><footer>Gen News, all rights reserved.</footer></body></html>
""", encoding="utf-8")
    urls = "\n".join(f"<url><loc>{FIXTURE_ORIGIN}{p}</loc></url>" for p in paths)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}\n</urlset>\n", encoding="utf-8")
    links = "\n".join(f'<li><a href="{p}">Story {i}</a></li>' for i, p in enumerate(paths[:20]))
    (root / "index.html").write_text(
        f"<!doctype html><html><head><title>Gen News</title></head><body><ul>{links}</ul>"
        "</body></html>", encoding="utf-8")
    (root / "robots.txt").write_text(
        f"User-agent: *\nDisallow: /private/\nSitemap: {FIXTURE_ORIGIN}/sitemap.xml\n",
        encoding="utf-8")
    return paths


def write_site_config(path: Path, origin: str, *, delay: float, concurrency: int,
                      name: str = "gen", max_pages: int = 5000) -> Path:
    """A sites config crawling the generated site through its sitemap and front page."""
    path.write_text(f"""
[crawler]
download_delay = {delay}
autothrottle = false
concurrent_per_domain = {concurrency}
extract_workers = 1
allow_private_addresses = true

[sites.{name}]
domains = ["127.0.0.1"]
sitemaps = ["{origin}/sitemap.xml"]
start_urls = ["{origin}/"]
allow = ["/news/"]
max_pages = {max_pages}
follow_depth = 1
""", encoding="utf-8")
    return path
