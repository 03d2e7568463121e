"""The quality gate on the in-repo WCXB sample: scores may rise, never fall below the floors.

The fixture sites' side of the gate (zero leaks) is tests/extract/test_golden_sites.py.
Floors live in tests/quality_floors.json; lowering one is a visible edit with a reason there.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.gate import render, score_corpus

from ..support import FIXTURES

FLOORS = json.loads((Path(__file__).parents[1] / "quality_floors.json").read_text("utf-8"))
SAMPLE = FIXTURES / "wcxb-sample"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report():
    return score_corpus(SAMPLE, workers=2)


def test_sample_is_what_its_readme_says():
    assert (SAMPLE / "LICENSE").read_text("utf-8").startswith("Creative Commons Attribution 4.0")
    kinds = [json.loads(p.read_text("utf-8"))["_internal"]["page_type"]["primary"]
             for p in (SAMPLE / "ground-truth").glob("*.json")]
    assert kinds.count("article") == 30 and len(kinds) == 48


def test_archiver_scores_stay_above_the_floors(report):
    floors = FLOORS["wcxb-sample"]
    for key in ("f1", "precision", "recall", "with", "title", "author", "date"):
        assert report.ours[key] >= floors[key], (key, report.ours[key], floors[key])
    assert report.ours["leak"] <= floors["leak_max"]
    assert report.non_article_rate <= floors["non_articles_archived_max"]
    assert report.article_reject_rate <= floors["articles_rejected_max"]
    # what an analyst gets: an article page the decision drops scores as empty text
    assert report.stored["f1"] >= floors["stored_f1"], report.stored
    assert report.errors == 0


def test_archiver_is_no_worse_than_bare_trafilatura_in_the_same_run(report):
    assert report.ours["f1"] >= report.bare["f1"]
    assert report.ours["leak"] <= report.bare["leak"]
    for key in ("date", "author", "title"):
        assert report.ours[key] >= report.bare[key], key
    table = render([report], [])
    assert "| archiver |" in table and "| trafilatura.extract |" in table

