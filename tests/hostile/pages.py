"""Bodies the hostile server sends: article pages, bombs, broken HTML, feeds and sitemaps.

Pure builders (bytes out), so the unit tests and the fuzzers can use the same pages.
"""

from __future__ import annotations

import html
import random
import struct
import zlib
from functools import lru_cache

MIB = 1024 * 1024

WORDS = ("the council met on tuesday to discuss the budget for schools roads and the port "
         "workers said the plan would cut hours while the mayor promised a public hearing "
         "before any vote residents crowded the hall and many asked for more time").split()


def prose(seed: int, words: int = 120) -> str:
    """Deterministic filler prose: enough words to pass the article classifier."""
    rng = random.Random(seed)
    out = []
    for i in range(words):
        w = rng.choice(WORDS)
        out.append(w.capitalize() if i % 12 == 0 else w)
        if i % 12 == 11:
            out[-1] += "."
    return " ".join(out) + "."


def article(title: str, body: str, *, canonical: str | None = None, head: str = "",
            date: str = "2024-03-01T09:00:00+00:00", charset_meta: str | None = None) -> str:
    """An article page (og:type article, a date, paragraphs) as text; `body` is raw HTML."""
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (f"<!DOCTYPE html><html lang=\"en\"><head>{meta}<title>{html.escape(title)}</title>"
            f'<meta property="og:type" content="article">{link}'
            f'<meta property="article:published_time" content="{date}">{head}</head>'
            f"<body><header><nav><a href=\"/\">Home</a></nav></header><main><article>"
            f"<h1>{html.escape(title)}</h1>{body}</article></main>"
            f"<footer>Hostile Gazette</footer></body></html>")


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{html.escape(t)}</p>" for t in texts)


def simple_article(title: str, seed: int, extra: str = "", **kw: object) -> bytes:
    return article(title, paragraphs(prose(seed), prose(seed + 1)) + extra, **kw).encode()


# -- bombs ---------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _zeros_raw_deflate(mib: int, filler: bytes = b"\0") -> tuple[bytes, int, int]:
    """Raw deflate of `mib` MiB of one repeated byte, with its CRC-32 and Adler-32.

    Each MiB is compressed after a full flush, so one compressed block repeats: building a
    multi-gigabyte bomb takes milliseconds and the wire size stays around a megabyte per GiB.
    """
    chunk = filler * MIB
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = adler = 0
    crc, adler = zlib.crc32(b""), zlib.adler32(b"")
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
        adler = zlib.adler32(chunk, adler)
    return block * mib + tail, crc, adler


def gzip_bomb(mib: int, filler: bytes = b"\0") -> bytes:
    """A gzip member that unpacks to `mib` MiB."""
    raw, crc, _ = _zeros_raw_deflate(mib, filler)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + raw + struct.pack("<II", crc, (mib * MIB) & 0xFFFFFFFF)


def deflate_bomb(mib: int) -> bytes:
    """A zlib stream (HTTP `deflate`) that unpacks to `mib` MiB."""
    raw, _, adler = _zeros_raw_deflate(mib)
    return b"\x78\xda" + raw + struct.pack(">I", adler)


def sitemap_bomb(mib: int) -> bytes:
    """A gzipped sitemap whose XML, once unpacked, is `mib` MiB (mostly spaces)."""
    start = b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [comp.compress(start)]
    chunk = b" " * MIB
    for _ in range(mib):
        out.append(comp.compress(chunk))
    out.append(comp.compress(b"</urlset>"))
    out.append(comp.flush())
    return b"".join(out)


# -- not HTML ------------------------------------------------------------------------------

PDF = (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
       + random.Random(7).randbytes(4000) + b"\n%%EOF\n")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
       + random.Random(8).randbytes(3000))
RANDOM = random.Random(9).randbytes(20000)
JS_SHELL = (b'<!DOCTYPE html><html><head><title>News</title>'
            b'<meta property="og:type" content="article"></head><body>'
            b'<div id="app">Loading\xe2\x80\xa6</div><script src="/app.js"></script>'
            b"</body></html>")
SOFT_404 = (b"<!DOCTYPE html><html><head><title>Page not found</title></head><body><main>"
            b"<h1>Sorry, we couldn't find that page</h1><p>The page you are looking for may "
            b"have been moved or deleted. Try the search box or go back to the home page."
            b"</p></main></body></html>")


# -- hard HTML -----------------------------------------------------------------------------

def nested_divs(depth: int = 100_000) -> bytes:
    return article("Deeply nested page", "<div>" * depth + paragraphs(prose(31), prose(32))
                   + "</div>" * depth).encode()


def big_table(rows: int = 20_000) -> bytes:
    cells = "".join(f"<tr><td>{i}</td><td>row {i}</td><td>{i * 7}</td></tr>"
                    for i in range(rows))
    return article("Results table page", paragraphs(prose(41)) + f"<table>{cells}</table>"
                   + paragraphs(prose(42))).encode()


TAG_SOUP = ("<html><head><title>The real headline of the soup</title></head><body>"
            "<p>" + html.escape(prose(51)) + "<b><i>unclosed</b></i><table><td>cell"
            "</html><title>WRONG SECOND TITLE</title><div><p>" + html.escape(prose(52))
            + '<meta property="og:type" content="article">'
            "</div></body></html></html>").encode()


def truncated() -> bytes:
    page = article("Truncated story", paragraphs(prose(61), prose(62)) + "<p>And then the")
    return page[: page.index("<p>And then the") + len("<p>And then the")].encode()


# -- hostile text --------------------------------------------------------------------------

SQL_TITLE = "'; DROP TABLE articles; -- NEAR( \"quoted\" star* AND OR"
SQL_TEXT = ("Robert'); DROP TABLE articles;-- wrote NEAR( a b ) and \"unbalanced with * and "
            "AND OR NOT ^ in the body, plus a literal <script>alert('x')</script> tag. ")


def sql_article() -> bytes:
    return article(SQL_TITLE, paragraphs(SQL_TEXT + prose(71), prose(72))).encode()


# -- encodings -----------------------------------------------------------------------------

FRENCH = ("Le café de l’été à Besançon : « crème brûlée », naïve façon — déjà vu. "
          "Les élèves ont célébré la fête ")
JAPANESE = "東京 の 港湾 労働者 が 賃上げ を 求めて ストライキ を 行った 。 "


def encoded_article(title: str, text: str, encoding: str, *, charset_meta: str | None = None,
                    bom: bytes = b"") -> bytes:
    body = paragraphs(*(text * 3 + prose(i, 30) for i in range(3)))
    page = article(title, body, charset_meta=charset_meta)
    return bom + page.encode(encoding)


# -- feeds and sitemaps --------------------------------------------------------------------

def bad_feed(origin: str) -> bytes:
    big_title = "T" * 100_000
    items = [
        "<item><title>No link at all</title></item>",
        "<item><title>Script</title><link>javascript:alert(document.cookie)</link></item>",
        "<item><title>Relative</title><link>/article/good-1</link></item>",
        f"<item><title>Spaces</title><link>\n   {origin}/article/good-2  \n</link></item>",
        "<item><title>Offsite</title><link>http://offsite.invalid/story</link></item>",
        "<item><title>Private</title><link>http://10.0.0.1/admin</link></item>",
        f"<item><title>{big_title}</title><link>{origin}/article/good-3</link></item>",
        f"<item><title>SQL</title><link>{origin}/article/sql</link></item>",
    ]
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>'
            + "".join(items) + f"<item><title>Cut off</title><link>{origin}/artic").encode()


def sitemap(origin: str, paths: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{origin}{p}</loc></url>" for p in paths)
    return ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>").encode()


def sitemap_index(origin: str, children: list[str]) -> bytes:
    items = "".join(f"<sitemap><loc>{origin}{c}</loc></sitemap>" for c in children)
    return ('<?xml version="1.0"?><sitemapindex '
            'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{items}</sitemapindex>").encode()


BROKEN_SITEMAP = (b'<?xml version="1.0"?><urlset><url><loc>/article/good-4</loc></url>'
                  b"<url><loc>/article/good-5</loc><url></urlset><<<")
