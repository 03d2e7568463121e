"""Generate a small news site in a folder at test time: N articles and a sitemap listing them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from archiver.demo.siteserver import FIXTURE_ORIGIN, SiteServer

from .support import write_config

WORDS = ("council budget housing river transport school library strike union hospital market "
         "election harbour museum festival railway station tenants workers park").split()


#: The site rule that keeps a crawl of a generated site to its articles.
ARTICLES_ONLY = 'allow = ["/article/"]'


def news_config(tmp_path: Path, server: SiteServer, extra: str = ARTICLES_ONLY) -> Path:
    """tmp_path/sites.toml for a generated site on `server`: found from its sitemap, no drop
    rules; `extra` adds site settings (keep `ARTICLES_ONLY` in it)."""
    return write_config(tmp_path / "sites.toml", server, sitemaps=["/sitemap.xml"], extra=extra,
                        drop=())


def paragraph(seed: int, sentences: int = 4) -> str:
    """Deterministic filler prose, different for each seed."""
    out = []
    for s in range(sentences):
        words = [WORDS[(seed * 7 + s * 3 + i * 5) % len(WORDS)] for i in range(12)]
        out.append(" ".join(words).capitalize() + ".")
    return " ".join(out)


def article_html(number: int, *, title: str | None = None, body: list[str] | None = None,
                 published: str | None = None) -> str:
    title = title or f"Story number {number} about the {WORDS[number % len(WORDS)]}"
    body = body or [paragraph(number * 3 + k) for k in range(3)]
    published = published or datetime.now(UTC).replace(microsecond=0).isoformat()
    paras = "\n".join(f"    <p>{p}</p>" for p in body)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="{published}">
</head><body>
<nav><a href="/">Home</a></nav>
<article>
  <h1>{title}</h1>
{paras}
</article>
<footer>Generated test site</footer>
</body></html>
"""


def article_path(number: int) -> str:
    return f"/article/{number:03d}"


def write_sitemap(root: Path, numbers: list[int] | range) -> None:
    urls = "\n".join(f"  <url><loc>{FIXTURE_ORIGIN}{article_path(n)}</loc></url>"
                     for n in numbers)
    (root / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}\n</urlset>\n", encoding="utf-8")


def make_site(root: Path, count: int) -> Path:
    """`count` articles under /article/NNN and a sitemap listing them all."""
    (root / "article").mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        (root / "article" / f"{n:03d}.html").write_text(article_html(n), encoding="utf-8")
    write_sitemap(root, range(1, count + 1))
    return root
