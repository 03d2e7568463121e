"""Template learning's decisions: which of a site's blocks are template, given how many of its
articles have each, and what an article's text becomes once they are removed.

Plain data in, plain data out: block keys and their lines (`boilerplate.blocks`), counts,
the site's article count and its keep/drop rules. The archive (archiver/store/templates.py)
keeps the counts and writes what these functions decide, whether it learns from one saved
article, from a batch of new ones, or from every stored text again (`archiver reclean`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass

from archiver.extract import boilerplate
from archiver.extract.classify import count_words

#: A block in fewer of a site's articles than this is that article's own text: the archive
#: keeps no count row for it (`site_blocks` lists recurring blocks only), as no block below
#: `boilerplate.MIN_ARTICLES` can be template.
RECURRING = 2
#: How much of a recurring block's line the archive keeps (for `archiver template`).
LINE_CHARS = 500


def threshold(site_articles: int) -> int:
    """In how many of a site's articles a block must be to be template (site of this size)."""
    return boilerplate.threshold(site_articles)


def recurs(articles: int) -> bool:
    """Whether a block in this many of a site's articles gets a count row."""
    return articles >= RECURRING


def kept_line(line: str | None) -> str | None:
    """A block's line as the archive keeps it."""
    return line[:LINE_CHARS] if line else None


def raw_or_none(raw: str, text: str) -> str | None:
    """What `articles.raw_text` holds: the extracted text when cleaning changed it, else NULL
    (`coalesce(raw_text, text)` is always the pre-cleaning text)."""
    return None if raw == text else raw


@dataclass(frozen=True, slots=True)
class Cleaned:
    """An article's text once its template blocks are removed, as its row keeps it."""

    text: str
    word_count: int
    raw_text: str | None  #: the extracted text when cleaning changed it, else None


def cleaned(raw: str, template: set[str] | frozenset[str], overrides: boilerplate.Overrides,
            word_count: int | None = None) -> Cleaned:
    """What an article's text becomes under the site's template blocks and rules.

    `word_count` is the extracted text's own count, kept when cleaning removed nothing
    (counting again would give the extractor's count another meaning); else the words of
    the cleaned text are counted.
    """
    text = boilerplate.clean(raw, template, overrides)
    words = word_count if word_count is not None and text == raw else count_words(text)
    return Cleaned(text, words, raw_or_none(raw, text))


def site_block_counts(articles: Iterable[Mapping[str, str]]) -> dict[str, tuple[str, int]]:
    """Learn a site's counts from scratch: each recurring block of these articles (their
    blocks, key -> line, oldest article first) with its line as the second article that has
    it gives it, and in how many of the articles it is."""
    counts: dict[str, list] = {}  # key -> [its line in the second article that has it, n]
    for found in articles:
        for key, line in found.items():
            count = counts.setdefault(key, [None, 0])
            count[1] += 1
            if count[1] == 2:
                count[0] = kept_line(line)
    return {key: (line, n) for key, (line, n) in counts.items() if recurs(n)}


def second_line(before: int, lines: list[str]) -> str | None:
    """The line a block's count row gets when new articles add to its count: the line of its
    second article, if that is one of the new ones. `before` is the count before them; `lines`
    the block's lines in the first new articles that have it (two at most are needed)."""
    second = 1 - before
    return lines[second] if 0 <= second < len(lines) else None


def reclean(raw: str, blocks: Set[str], template: set[str], cleaned_by: Set[str],
            text: str, overrides: boilerplate.Overrides) -> Cleaned | None:
    """An article's new text after its site's template changed, or None when it stays.

    `blocks` are the article's, `cleaned_by` the template blocks its `text` was cleaned by.
    """
    now = template & blocks
    if now == cleaned_by:
        return None
    again = cleaned(raw, now, overrides)
    return None if again.text == text else again
