"""Snippets for texts whose index positions are not SQLite's (unspaced scripts, stems).

FTS5's `snippet()` counts positions in what the index holds: for a text indexed as bigrams it
would mark the wrong words. Here the query's words are found in the original text, under the
article's own stemmer, and the original text is shown with them marked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archiver.store.search_forms import (
    TOKEN,
    UNSPACED_RUN,
    fold,
    has_unspaced,
    key_for,
    stemmer,
    word_form,
)
from archiver.store.search_query import query_phrases


def _norm(form: str) -> str:
    """A term as FTS5 ends up comparing it: folded, then Porter-stemmed."""
    return stemmer("porter").stemWord(fold(form))


@dataclass
class _Matcher:
    words: set[str]
    prefixes: set[str]
    runs: list[str]


def _matcher(query: str, key: str | None) -> _Matcher:
    words: set[str] = set()
    prefixes: set[str] = set()
    runs: list[str] = []
    for phrase in query_phrases(query, key):
        if phrase.negated:
            continue
        for j, token in enumerate(phrase.tokens):
            if has_unspaced(token):
                runs.extend(r.group() for r in UNSPACED_RUN.finditer(token))
                rest = UNSPACED_RUN.sub(" ", token).split()
                words.update(_norm(word_form(w, key)) for w in rest)
            elif phrase.prefix and j == len(phrase.tokens) - 1:
                prefixes.add(fold(token))
                prefixes.add(fold(word_form(token, key)))
            else:
                words.add(_norm(word_form(token, key)))
    return _Matcher(words, prefixes, sorted(set(runs), key=len, reverse=True))


def snippet(text: str | None, language: str | None, query: str, *, start_mark: str = "[",
            end_mark: str = "]", ellipsis: str = "…", width: int = 100) -> str:
    """A passage of `text` around the first words `query` matches, those words marked.

    For texts with unspaced scripts, where the index's positions (bigrams) are not the ones
    FTS5's `snippet()` counts in the original text: the words are found here in the original
    text, under the article's own stemmer, and the original text is shown.
    """
    if not text:
        return ""
    key = key_for(language)
    found = _matcher(query, key)
    spans: list[tuple[int, int]] = []
    for run in found.runs:
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(run), text))
    for m in TOKEN.finditer(text):
        token = m.group()
        if has_unspaced(token):
            continue
        form = word_form(token, key)
        if _norm(form) in found.words or any(
                fold(form).startswith(p) or fold(token).startswith(p)
                for p in found.prefixes):
            spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    first = merged[0][0] if merged else 0
    start = max(0, first - width // 4)
    if start and not has_unspaced(text[start:first]):
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and first - space < width // 2 else start
    end = min(len(text), start + width)
    if end < len(text) and not has_unspaced(text[end - 1:end + 1]):
        space = text.find(" ", end)
        end = space if 0 <= space < end + 20 else end
    out: list[str] = [ellipsis] if start > 0 else []
    at = start
    for s, e in merged:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(text[at:s])
        out.append(start_mark + text[s:e] + end_mark)
        at = e
    out.append(text[at:end])
    if end < len(text):
        out.append(ellipsis)
    return "".join(out)
