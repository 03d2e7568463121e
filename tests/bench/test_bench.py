"""`make bench` in quick mode runs end to end and prints every row of its table.

No timed assertions: speed and memory are judged by the benchmark's own ratios, not here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.newsplease_peer import NOT_INSTALLED, installed
from bench.run import ROWS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_quick_bench_prints_every_row(tmp_path: Path) -> None:
    output = tmp_path / "benchmarks.md"
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--output", str(output)],
                            cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    table = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    labels = [line.split("|")[1].strip() for line in table[1:]]
    assert labels == ROWS
    measured = {line.split("|")[1].strip(): line for line in table}
    # the rows that measure something carry a median with its min–max range
    assert " p/s (" in measured["1 end-to-end crawl vs extraction ceiling"]
    assert "× (" in measured["1 end-to-end crawl vs extraction ceiling"]
    # the CPU bound: extraction plus the bare fetch a page, and the crawl's own overhead
    bound = measured["1 bound: extraction + bare Scrapy fetch on the same cores, vs ceiling"]
    assert " p/s (" in bound and "× (" in bound and " ms a page (" in bound
    assert " a/s (" in measured["3 store: Store.save_articles vs sqlite-utils insert_all"]
    assert " ms (" in measured["4 search p95: phrase"]
    assert " MiB (" in measured["5 memory: peak RSS, large crawl vs small"]
    # row 7: CPU a page of analyse and of bare trafilatura on the same real pages, as a ratio
    extraction = measured["7 extraction: analyse CPU a page vs trafilatura.bare_extraction"]
    assert " ms CPU a page (" in extraction and "article pages" in extraction
    assert "× (" in extraction
    # quick mode never installs news-please: figures when its venv is there, else the reason
    peer = measured["2 peer: news-please"]
    assert ("news-please" in peer and "× (" in peer) if installed() else NOT_INSTALLED in peer
    written = output.read_text(encoding="utf-8")
    assert table[0] in written and "Machine:" in written and "quick mode" in written


def test_memory_rows_judge_flatness_only_with_a_large_crawl() -> None:
    """`--big-runs 0` (no large crawl) says so in row 5; with large crawls it is judged."""
    from bench.run import FULL, Series, memory_rows

    small, pss = Series([312.0, 311.0, 312.0]), Series([230.0, 229.0, 230.0])
    rows = memory_rows(FULL, small, pss, Series(), Series())
    assert [r.verdict for r in rows] == ["met", "n/a"]
    assert rows[1].ours == "not run (--big-runs 0)"
    flat = memory_rows(FULL, small, pss, Series([338.0, 339.0, 338.0]), Series([256.0] * 3))
    assert [r.verdict for r in flat] == ["met", "met"] and "1.08×" in flat[1].ratio
    grows = memory_rows(FULL, small, pss, Series([380.0] * 3), Series([300.0] * 3))
    assert grows[1].verdict == "MISSED"


def test_only_a_full_run_replaces_the_published_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/benchmarks.md is the full table: a quick run, one group (--only), fewer runs or a
    run without the large memory crawl writes it only where --output says, and reading the
    options leaves the module's sizes as they were."""
    from bench.run import FULL, PUBLISHED, QUICK, plan

    monkeypatch.delenv("BENCH_QUICK", raising=False)
    assert PUBLISHED == ROOT / "docs" / "benchmarks.md"
    assert plan([])[2] == PUBLISHED
    assert plan(["--runs", "5"])[2] == PUBLISHED
    for partial in (["--quick"], ["--only", "crawl"], ["--only", "store"], ["--only", "extract"],
                    ["--runs", "1"],
                    ["--big-runs", "0"], ["--big-runs", "2"]):
        assert plan(partial)[2] is None, partial
    _, sizes, _ = plan(["--runs", "1", "--big-runs", "0"])
    assert (sizes.runs, sizes.big_runs) == (1, 0)
    assert (FULL.runs, FULL.big_runs, QUICK.runs) == (3, 3, 3)


def test_bad_bench_options_are_one_line_errors_before_anything_runs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bench.run import plan

    written = tmp_path / "partial.md"
    assert plan(["--only", "store", "--output", str(written)])[2] == written
    assert written.exists()  # checked writable up front
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for argv, message in ((["--runs", "0"], "--runs must be at least 1"),
                          (["--output", str(blocker / "table.md")], "cannot write --output")):
        with pytest.raises(SystemExit) as exit_:
            plan(argv)
        assert exit_.value.code == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert message in err[-1] and "Traceback" not in "\n".join(err)
