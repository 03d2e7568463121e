"""Score extracted text and metadata against ground truth, the way the WCXB corpus prescribes.

Pure: strings in, numbers out. Text is scored like the ScrapingHub article-extraction benchmark:
`\\w+` tokens, overlapping 4-token shingles, multiset overlap as precision (over the output) and
recall (over the gold text); precision is averaged over pages with output, recall over pages with
gold text, and F1 is the harmonic mean of the two averages. Snippets are checked after NFKC and
whitespace collapsing: the share of `with` snippets found, the share of `without` snippets leaked.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

_TOKEN = re.compile(r"\w+")
SHINGLE = 4


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """The multiset of `size`-token shingles of a text (lower-cased `\\w+` tokens)."""
    tokens = _TOKEN.findall((text or "").lower())
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i:i + size]) for i in range(len(tokens) - size + 1))


def precision_recall(output: str, gold: str) -> tuple[float | None, float | None]:
    """Per-page shingle precision and recall; None where the output (or gold) is empty."""
    out, ref = shingles(output), shingles(gold)
    overlap = sum((out & ref).values())
    precision = overlap / sum(out.values()) if out else None
    recall = overlap / sum(ref.values()) if ref else None
    return precision, recall


def squash(text: str) -> str:
    """NFKC and collapsed whitespace: the form snippets are compared in."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def snippet_counts(output: str, with_: list[str], without: list[str]) -> tuple[int, int]:
    """How many `with` snippets the output holds and how many `without` snippets leak into it."""
    text = squash(output)
    found = sum(1 for s in with_ if squash(s) and squash(s) in text)
    leaked = sum(1 for s in without if squash(s) and squash(s) in text)
    return found, leaked


def _norm_title(value: str | None) -> str:
    return " ".join(_TOKEN.findall(unicodedata.normalize("NFKC", value or "").casefold()))


def title_ok(found: str | None, gold: str | None) -> bool:
    """A title matches when its words equal the gold title's (case and punctuation ignored)."""
    return bool(found) and _norm_title(found) == _norm_title(gold)


def _name_tokens(value: str) -> set[str]:
    return set(_TOKEN.findall(unicodedata.normalize("NFKC", value).casefold()))


def author_ok(found: str | None, gold: str | None) -> bool:
    """An author matches when every gold name's words are among the found names' words and
    no found name is foreign to the gold one (so "By Jane Doe, Reporter" does not match)."""
    if not found or not gold:
        return False
    gold_names = [n for n in re.split(r"[;,&]| and ", gold) if n.strip()]
    found_names = [n for n in re.split(r"[;,&]| and ", found) if n.strip()]
    gold_words = set().union(*(_name_tokens(n) for n in gold_names))
    found_words = set().union(*(_name_tokens(n) for n in found_names))
    return gold_words == found_words


def date_ok(found: str | None, gold: str | None) -> bool:
    """A date matches when the calendar day (YYYY-MM-DD) is the gold one."""
    return bool(found) and bool(gold) and found[:10] == gold[:10]


@dataclass
class Tally:
    """Running totals for one extractor over a set of pages."""

    precisions: list[float] = field(default_factory=list)
    recalls: list[float] = field(default_factory=list)
    with_total: int = 0
    with_found: int = 0
    without_total: int = 0
    without_leaked: int = 0
    pages: int = 0
    title_pages: int = 0
    title_hits: int = 0
    author_pages: int = 0
    author_hits: int = 0
    date_pages: int = 0
    date_hits: int = 0

    def add(self, gold: dict[str, Any], text: str | None, title: str | None = None,
            author: str | None = None, date: str | None = None) -> None:
        """Score one article page (`gold` is the corpus's `ground_truth` object)."""
        self.pages += 1
        precision, recall = precision_recall(text or "", gold.get("main_content") or "")
        if precision is not None:
            self.precisions.append(precision)
        if recall is not None:
            self.recalls.append(recall)
        with_, without = gold.get("with") or [], gold.get("without") or []
        found, leaked = snippet_counts(text or "", with_, without)
        self.with_total += len(with_)
        self.with_found += found
        self.without_total += len(without)
        self.without_leaked += leaked
        if gold.get("title"):
            self.title_pages += 1
            self.title_hits += title_ok(title, gold["title"])
        if gold.get("author"):
            self.author_pages += 1
            self.author_hits += author_ok(author, gold["author"])
        if gold.get("publish_date"):
            self.date_pages += 1
            self.date_hits += date_ok(date, gold["publish_date"])

    def summary(self) -> dict[str, float]:
        """The averages: precision, recall, f1, with share, leak rate, field accuracies."""
        p = sum(self.precisions) / len(self.precisions) if self.precisions else 0.0
        r = sum(self.recalls) / len(self.recalls) if self.recalls else 0.0
        return {
            "pages": self.pages,
            "precision": p,
            "recall": r,
            "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "with": self.with_found / self.with_total if self.with_total else 0.0,
            "leak": self.without_leaked / self.without_total if self.without_total else 0.0,
            "title": self.title_hits / self.title_pages if self.title_pages else 0.0,
            "author": self.author_hits / self.author_pages if self.author_pages else 0.0,
            "date": self.date_hits / self.date_pages if self.date_pages else 0.0,
        }
