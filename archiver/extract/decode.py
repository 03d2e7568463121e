"""Page bytes to text: a binary body refused, the encoding found without mojibake.

Pure: bytes in, text out. Its own module because the encoding rules (BOM, valid UTF-8, the
declared charset only if the bytes are valid in it, then a statistical guess) are a job of their
own, tested on their own (tests/extract/test_extract.py), and used before any parsing.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes
from w3lib.encoding import (
    html_body_declared_encoding,
    http_content_type_encoding,
    resolve_encoding,
)

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF32_LE, "utf-32-le"),
         (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
#: Encodings a label may not force on bytes that are not valid in them (checked strictly).
_UNICODE_FAMILY = ("utf-8", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
                   "utf-32-be")
#: How much worse (charset_normalizer "chaos") windows-1252 may score and still be chosen.
_CP1252_SLACK = 0.05
#: Leading bytes of formats that are never a web page, whatever the Content-Type says.
BINARY_MAGIC = (b"%PDF-", b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"PK\x03\x04",
                b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"RIFF", b"OggS", b"\x00\x00\x01\x00",
                b"wOFF", b"wOF2", b"\x7fELF", b"7z\xbc\xaf", b"Rar!", b"ID3", b"fLaC",
                b"\x28\xb5\x2f\xfd")


def is_binary(body: bytes) -> bool:
    """True for bodies that are no text at all: known binary formats, or control bytes.

    Servers label PDFs, images and garbage `text/html`; such bytes must never become an
    article. A BOM-marked UTF-16/32 page is text, so control bytes only count without a BOM.
    A stray NUL or two (in an inline script, a JSON-LD string) does not make a page binary:
    only a share of control bytes does, which binary formats and BOM-less UTF-16 always have.
    """
    head = body[:4096].lstrip()
    if head.startswith(BINARY_MAGIC):
        return True
    if any(body.startswith(bom) for bom, _ in _BOMS):
        return False
    controls = sum(1 for b in head if b < 9 or 13 < b < 32 or b == 127)
    return bool(head) and controls > len(head) * 0.02


def _declared(body: bytes, content_type: str | None) -> list[str]:
    """Encodings the HTTP header and then the page's `<meta>` declare, known to Python."""
    labels = [http_content_type_encoding(content_type) if content_type else None,
              html_body_declared_encoding(body[:4096])]
    out = []
    for label in labels:
        encoding = resolve_encoding(label) if label else None
        if encoding:
            try:
                out.append(codecs.lookup(encoding).name)
            except LookupError:
                continue
    return out


def _guess(body: bytes) -> str:
    """A statistical guess, preferring windows-1252 when it is about as good as the best.

    charset_normalizer often ranks cp1250/cp1257 first for French or Spanish text; cp1252 is
    the web's usual legacy encoding (and the WHATWG default), so near-ties go to it.
    """
    matches = list(from_bytes(body[:200_000]))
    if not matches:
        return "cp1252"
    best = matches[0]
    for match in matches:
        if match.encoding == "cp1252" and match.chaos <= best.chaos + _CP1252_SLACK:
            return "cp1252"
    return best.encoding


def decode(body: bytes, content_type: str | None = None) -> str:
    """Decode page bytes to text without mojibake, replacement characters or a BOM.

    Order: a BOM; bytes that are valid UTF-8 (a Latin-1 label on UTF-8 bytes is the usual
    server mistake, and non-ASCII cp1252 text is almost never valid UTF-8); the HTTP charset
    and then the `<meta>` charset, each only if the bytes are valid in it; then a statistical
    guess. trafilatura guesses on its own and can read cp1252 as cp1250, so it gets text.
    """
    text: str | None = None
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            text = body[len(bom):].decode(encoding, "replace")
            break
    else:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None:
            for encoding in _declared(body, content_type):
                if encoding.replace("_", "-") in _UNICODE_FAMILY:
                    continue  # already refuted above (UTF-16 without a BOM is not served)
                try:
                    text = body.decode(encoding)
                    break
                except (UnicodeDecodeError, LookupError):
                    continue
    if text is None:
        text = body.decode(_guess(body), "replace")
    return text.lstrip("\ufeff").replace("\ufffd", "").replace("\x00", "")

