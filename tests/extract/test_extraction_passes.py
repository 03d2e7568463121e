"""Extraction runs trafilatura's extra modes only where they can change the text (issue 20).

The passes are counted by wrapping the real `trafilatura.extract` (it still runs); no timing.
"""

from __future__ import annotations

import trafilatura

from archiver.extract.page import analyse
from archiver.extract.passes import _edges_doubtful

URL = "http://127.0.0.1:1/news/2024/05/14/council-approves-river-bridge-budget"
PARAGRAPH = ("The city council approved the budget for the new river bridge on Tuesday evening "
             "after a debate that lasted more than four hours and drew residents from both banks "
             "of the river, many of whom said the old crossing had been unsafe for years. ")


def page(paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html lang="en"><head><title>Bridge budget</title>'
            f'<meta property="og:type" content="article"></head><body><article>{body}'
            "</article></body></html>").encode()


def count_passes(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    real = trafilatura.extract

    def counted(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(trafilatura, "extract", counted)
    return calls


def test_a_plain_story_takes_the_default_pass_only(monkeypatch):
    calls = count_passes(monkeypatch)
    result = analyse(page([PARAGRAPH * 2, PARAGRAPH * 3, PARAGRAPH * 2]), URL)
    assert result.article is not None, result.reason
    assert result.article.text.count("The city council approved") == 7
    assert calls == []  # long edge lines, the text is nearly all the page: no extra mode


def test_short_edge_lines_get_the_precision_reference(monkeypatch):
    calls = count_passes(monkeypatch)
    result = analyse(page([PARAGRAPH * 2, PARAGRAPH * 3, "Share this story"]), URL)
    assert result.article is not None, result.reason
    assert [c.get("favor_precision") for c in calls] == [True]


def test_edges_are_doubtful_when_the_last_line_or_the_first_two_are_short():
    long = "word " * 30
    assert not _edges_doubtful(f"{long}\n\n{long}\n{long}")
    assert not _edges_doubtful(f"Headline\n{long}\n{long}")  # one short first line: the title
    assert _edges_doubtful(f"{long}\n{long}\nShare this story")
    assert _edges_doubtful(f"Home\nNews\n{long}\n{long}")
    assert _edges_doubtful("")
