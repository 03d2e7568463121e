"""Run every benchmark, print one table of medians (min–max) and ratios, write the docs page.

Each ratio is taken run by run against a reference measured in the same run, then its median
is reported: absolute figures on a shared 2-core machine are noisy, ratios much less so.
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from . import crawlbench, extractbench, newsplease_peer, storebench
from .gensite import generate
from .serve import Served

#: Every row the table has, in order; the quick-mode test checks each one is printed.
ROWS = [
    "sanity: Scrapy alone fetch",
    "1 end-to-end crawl vs extraction ceiling",
    "1 bound: extraction + bare Scrapy fetch on the same cores, vs ceiling",
    "2 peer: trafilatura CLI",
    "2 peer: news-please",
    "3 store: Store.save_articles vs sqlite-utils insert_all",
    *[f"4 search p95: {label}" for label, _q, _s in storebench.QUERIES],
    "4 search: whole mix vs sqlite-utils table.search()",
    "5 memory: peak RSS, small crawl",
    "5 memory: peak RSS, large crawl vs small",
    "6 reextract vs extraction ceiling",
    "6 export: rows/s, peak RSS vs a 10× smaller archive",
    "7 extraction: analyse CPU a page vs trafilatura.bare_extraction",
]


@dataclass
class Sizes:
    pages: int
    big_pages: int
    articles: int
    runs: int
    search_repeats: int
    big_runs: int = 3  #: runs that include the large (memory) crawl
    install_peers: bool = True  #: may install news-please into its own venv (needs PyPI)
    newsplease_runs: int = 3  #: runs that include news-please (about 2 minutes each at 2k)
    extract_pages: int | None = None  #: real pages of row 7 (None: every article page)


FULL = Sizes(pages=2000, big_pages=10000, articles=100_000, runs=3, search_repeats=20)
QUICK = Sizes(pages=100, big_pages=250, articles=3000, runs=3, search_repeats=5,
              install_peers=False, newsplease_runs=1, extract_pages=20)


@dataclass
class Series:
    """One figure over the runs."""

    values: list[float] = field(default_factory=list)

    def fmt(self, unit: str = "", digits: int = 1) -> str:
        if not self.values:
            return "–"
        med = statistics.median(self.values)
        lo, hi = min(self.values), max(self.values)
        return f"{med:.{digits}f}{unit} ({lo:.{digits}f}–{hi:.{digits}f})"

    @property
    def median(self) -> float:
        return statistics.median(self.values)


@dataclass
class Row:
    label: str
    ours: str
    reference: str
    ratio: str
    target: str
    verdict: str


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB RAM, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}")


def _log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _timed(label: str, fn: Callable[[], float]) -> float:
    _log(f"{label} ...")
    value = fn()
    _log(f"{label}: {value:.1f}")
    return value


def crawl_rows(sizes: Sizes, work: Path) -> list[Row]:
    site = work / "site"
    _log(f"generating {sizes.big_pages} pages")
    all_urls = generate(site, sizes.big_pages, sitemap_sizes=(sizes.pages, sizes.big_pages))
    urls = all_urls[:sizes.pages]
    fetch, ceil, e2e, ratio, peer, peer_ratio = (Series() for _ in range(6))
    rex, rex_ratio = Series(), Series()
    rss_small, rss_big = Series(), Series()
    pss_small, pss_big = Series(), Series()  # beside RSS: shared pages counted once in all
    np_rate, np_ratio, np_rss = Series(), Series(), Series()
    np_missing = ""  # why news-please has no figures, once it is known not to run here
    bound, bound_ratio, overhead = Series(), Series(), Series()
    server = Served(site)
    with server as origin:
        for run in range(sizes.runs):
            _log(f"crawl run {run + 1}/{sizes.runs}")
            c_rate = crawlbench.ceiling(site, urls, origin)
            c = c_rate.pages_per_s
            _log(f"ceiling pages/s: {c:.1f} ({c_rate.cpu_per_page * 1000:.1f} ms CPU a page)")
            result = crawlbench.archiver_crawl(origin, sizes.pages, work / "crawl")
            e = sizes.pages / result.seconds
            _log(f"archiver crawl pages/s: {e:.1f}, peak RSS {result.peak_rss / 2**20:.0f} MiB"
                 f" (PSS {result.peak_pss / 2**20:.0f} MiB), {result.seconds:.1f}s wall, "
                 f"CPU: {result.cpu_summary()}")
            rx = crawlbench.archiver_reextract(sizes.pages, work / "crawl")
            rex.values.append(sizes.pages / rx.seconds)
            rex_ratio.values.append(sizes.pages / rx.seconds / c)
            _log(f"archiver reextract pages/s: {rex.values[-1]:.1f}")
            p_run = crawlbench.trafilatura_peer(origin, urls, work / "peer")
            p = sizes.pages / p_run.seconds
            _log(f"trafilatura pages/s: {p:.1f}")
            if not np_missing and run < sizes.newsplease_runs:
                try:
                    n_run = newsplease_peer.run(origin, urls, work / "newsplease",
                                                install=sizes.install_peers)
                except newsplease_peer.Unavailable as exc:
                    np_missing = str(exc)
                    _log(f"news-please: {np_missing}")
                else:
                    n = sizes.pages / n_run.run.seconds
                    np_rate.values.append(n)
                    np_ratio.values.append(e / n)
                    np_rss.values.append(n_run.run.peak_rss / 2**20)
                    _log(f"news-please pages/s: {n:.1f} ({n_run.run.seconds:.1f}s wall, last "
                         f"article written at {n_run.last_write:.1f}s), peak RSS "
                         f"{n_run.run.peak_rss / 2**20:.0f} MiB (PSS "
                         f"{n_run.run.peak_pss / 2**20:.0f} MiB), CPU: {n_run.run.cpu_summary()}")
            f_rate = crawlbench.scrapy_alone(origin, sizes.pages, server.pid)
            f = f_rate.pages_per_s
            b = c * crawlbench.cpu_bound(c_rate, f_rate)
            bound.values.append(b)
            bound_ratio.values.append(b / c)
            overhead.values.append(result.cpu.get("main", 0.0) / sizes.pages * 1000
                                   - f_rate.cpu_per_page * 1000)
            _log(f"Scrapy alone pages/s: {f:.1f} ({f_rate.cpu_per_page * 1000:.1f} ms CPU a "
                 f"page, spider and server); bound {b:.1f} pages/s ({b / c:.2f}× ceiling); "
                 f"crawl process beyond the bare fetch: {overhead.values[-1]:.1f} ms a page")
            ceil.values.append(c)
            e2e.values.append(e)
            ratio.values.append(e / c)
            peer.values.append(p)
            peer_ratio.values.append(e / p)
            fetch.values.append(f)
            rss_small.values.append(result.peak_rss / 2**20)
            pss_small.values.append(result.peak_pss / 2**20)
            if run >= sizes.big_runs:
                continue
            big = crawlbench.archiver_crawl(origin, sizes.big_pages, work / "crawl-big")
            _log(f"large crawl pages/s: {sizes.big_pages / big.seconds:.1f}, "
                 f"peak RSS {big.peak_rss / 2**20:.0f} MiB (PSS {big.peak_pss / 2**20:.0f} "
                 f"MiB), CPU: {big.cpu_summary()}")
            rss_big.values.append(big.peak_rss / 2**20)
            pss_big.values.append(big.peak_pss / 2**20)
    return [
        Row(ROWS[0], fetch.fmt(" p/s"), "–", "–", "sanity (issue: ~650 p/s)", "n/a"),
        Row(ROWS[1], e2e.fmt(" p/s"), ceil.fmt(" p/s") + " ceiling", ratio.fmt("×", 2),
            "≥ 0.9×", _verdict(ratio.median >= 0.9)),
        Row(ROWS[2], bound.fmt(" p/s") + " (crawl process beyond the bare fetch: "
            + overhead.fmt(" ms a page") + ")", ceil.fmt(" p/s") + " ceiling",
            bound_ratio.fmt("×", 2), "the most a crawl can reach here", "n/a"),
        Row(ROWS[3], e2e.fmt(" p/s"), peer.fmt(" p/s") + " trafilatura",
            peer_ratio.fmt("×", 2), "report", "n/a"),
        Row(ROWS[4], e2e.fmt(" p/s"), np_missing or (
            f"{np_rate.fmt(' p/s')} news-please {newsplease_peer.VERSION}, peak RSS "
            + np_rss.fmt(" MiB", 0)), np_ratio.fmt("×", 2), "report", "n/a"),
        Row(ROWS[-3], rex.fmt(" p/s"), ceil.fmt(" p/s") + " ceiling", rex_ratio.fmt("×", 2),
            "≥ 0.9×", _verdict(rex_ratio.median >= 0.9)),
        *memory_rows(sizes, rss_small, pss_small, rss_big, pss_big),
    ]


def memory_rows(sizes: Sizes, rss_small: Series, pss_small: Series, rss_big: Series,
                pss_big: Series) -> list[Row]:
    """Rows 5 from the peak RSS (and PSS) of the small and the large crawls, in MiB. With no
    large crawl (`--big-runs 0`) its row says so instead of judging flatness."""
    small = Row(ROWS[-5], rss_small.fmt(" MiB", 0) + f" ({sizes.pages} pages; PSS "
                + pss_small.fmt(" MiB", 0) + ")", "–", "–",
                "≤ 400 MB", _verdict(max(rss_small.values) * 2**20 <= 400e6))
    if not rss_big.values:
        return [small, Row(ROWS[-4], "not run (--big-runs 0)", rss_small.fmt(" MiB", 0), "–",
                           "≤ 1.10× and ≤ 400 MB", "n/a")]
    rss_ratio = Series([b / s for b, s in zip(rss_big.values, rss_small.values, strict=False)])
    peak = max(rss_small.values + rss_big.values)
    runs = len(rss_big.values)
    return [small, Row(ROWS[-4], rss_big.fmt(" MiB", 0) + f" ({sizes.big_pages} pages, "
                       f"{runs} run{'s' if runs > 1 else ''}; PSS " + pss_big.fmt(" MiB", 0) + ")",
                       rss_small.fmt(" MiB", 0), rss_ratio.fmt("×", 2), "≤ 1.10× and ≤ 400 MB",
                       _verdict(rss_ratio.median <= 1.10 and peak * 2**20 <= 400e6))]


def store_rows(sizes: Sizes, work: Path) -> list[Row]:
    _log(f"making {sizes.articles} synthetic articles")
    articles = storebench.synthetic_articles(sizes.articles)
    ours, ref, ratio = Series(), Series(), Series()
    for run in range(sizes.runs):
        _log(f"store run {run + 1}/{sizes.runs}")
        measures = [
            lambda: _timed("sqlite-utils insert_all articles/s",
                           lambda: storebench.reference_rate(work / "reference.db", articles)),
            lambda: _timed("Store.save_articles articles/s",
                           lambda: storebench.store_rate(work / "archive.db", articles)),
        ]
        if run % 2:  # alternate which goes first, so neither always meets a warm cache
            o, r = measures[1](), measures[0]()
        else:
            r, o = measures[0](), measures[1]()
        ours.values.append(o)
        ref.values.append(r)
        ratio.values.append(o / r)
    rows = [Row(ROWS[5], ours.fmt(" a/s", 0), ref.fmt(" a/s", 0), ratio.fmt("×", 2), "≥ 0.9×",
                _verdict(ratio.median >= 0.9))]
    per_query: dict[str, tuple[Series, Series, Series]] = {}
    mix = Series()
    for run in range(sizes.runs):
        _log(f"search run {run + 1}/{sizes.runs}")
        result = storebench.search_latencies(work / "archive.db", sizes.search_repeats)
        for label, fig in result.items():
            o, r, sp = per_query.setdefault(label, (Series(), Series(), Series()))
            o.values.append(fig["ours_p95"])
            r.values.append(fig["ref_p95"])
            sp.values.append(fig["ref_p95"] / fig["ours_p95"])
        mix.values.append(sum(f["ref_total"] for f in result.values())
                          / sum(f["ours_total"] for f in result.values()))
    for label, _query, share in storebench.QUERIES:
        o, r, sp = per_query[label]
        limit = 30 if share <= 0.25 else 100
        rows.append(Row(f"4 search p95: {label}", o.fmt(" ms"), r.fmt(" ms"),
                        sp.fmt("× faster"), f"≤ {limit} ms", _verdict(o.median <= limit)))
    rows.append(Row(ROWS[-6], "–", "–", mix.fmt("× faster", 2), "≥ 2× faster",
                    _verdict(mix.median >= 2)))
    small_db = work / "small.db"
    storebench.store_rate(small_db, articles[:len(articles) // 10])
    export_rate, rss_big, rss_small, rss_ratio = Series(), Series(), Series(), Series()
    for run in range(sizes.runs):
        _log(f"export run {run + 1}/{sizes.runs}")
        big = crawlbench.archiver_export(work / "archive.db")
        small = crawlbench.archiver_export(small_db)
        export_rate.values.append(len(articles) / big.seconds)
        rss_big.values.append(big.peak_rss / 2**20)
        rss_small.values.append(small.peak_rss / 2**20)
        rss_ratio.values.append(big.peak_rss / small.peak_rss)
    rows.append(Row(ROWS[-2], export_rate.fmt(" rows/s", 0) + ", peak "
                    + rss_big.fmt(" MiB", 0), rss_small.fmt(" MiB", 0) + " (10× fewer rows)",
                    rss_ratio.fmt("×", 2), "flat memory (≤ 1.10×)",
                    _verdict(rss_ratio.median <= 1.10)))
    return rows


def extract_rows(sizes: Sizes) -> list[Row]:
    """Row 7: `analyse` against bare trafilatura with metadata, CPU a page, same pages and run."""
    pages = extractbench.article_pages(sizes.extract_pages)
    ours, bare, ratio = Series(), Series(), Series()
    for run in range(sizes.runs):
        _log(f"extraction run {run + 1}/{sizes.runs}: {len(pages.pages)} {pages.source}")
        cost = extractbench.measure(pages.pages)
        ours.values.append(cost.ours * 1000)
        bare.values.append(cost.bare * 1000)
        ratio.values.append(cost.ratio)
        _log(f"analyse {cost.ours * 1000:.1f} ms, bare_extraction {cost.bare * 1000:.1f} ms CPU "
             f"a page: {cost.ratio:.2f}×")
    return [Row(ROWS[-1], ours.fmt(" ms CPU a page"),
                bare.fmt(" ms") + f" bare_extraction(with_metadata=True); {len(pages.pages)} "
                + pages.source, ratio.fmt("×", 2), "≤ 1.4×", _verdict(ratio.median <= 1.4))]


def render(rows: list[Row]) -> str:
    head = ["measure", "archiver: median (min–max)", "reference: median (min–max)",
            "ratio (same run)", "target", "result"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    order = {label: i for i, label in enumerate(ROWS)}
    for row in sorted(rows, key=lambda r: order[r.label]):
        lines.append(f"| {row.label} | {row.ours} | {row.reference} | {row.ratio} | "
                     f"{row.target} | {row.verdict} |")
    return "\n".join(lines)


#: The published table: what a full run writes when no --output is given.
PUBLISHED = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def default_output(quick: bool, only: str | None, sizes: Sizes) -> Path | None:
    """Where the table goes without --output: docs/benchmarks.md only for a full run.

    docs/benchmarks.md is the published table with every row over FULL's runs; a quick run,
    one group (--only), fewer runs or no large crawl would replace it with a partial one.
    """
    full = (not quick and only is None and sizes.runs >= FULL.runs
            and sizes.big_runs == sizes.runs)
    return PUBLISHED if full else None


def plan(argv: list[str] | None = None) -> tuple[argparse.Namespace, Sizes, Path | None]:
    """The command line read into what to run and where its table goes.

    Checked before anything runs, so a bad option or an --output that cannot be written is a
    one-line error at once, not a traceback after half an hour of benchmarking.
    """
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
                        help="small sizes, about 1–2 minutes (also BENCH_QUICK=1)")
    parser.add_argument("--output", type=Path, default=None,
                        help="write the table here (default: docs/benchmarks.md, for a full "
                        "run only)")
    parser.add_argument("--runs", type=int, default=None, help="runs (default 3)")
    parser.add_argument("--big-runs", type=int, default=None,
                        help="runs that include the large memory crawl (default: all; "
                        "0: none, row 5's flatness is then not judged)")
    parser.add_argument("--only", choices=["crawl", "store", "extract"], default=None,
                        help="run one group of benchmarks")
    args = parser.parse_args(argv)
    if args.runs is not None and args.runs < 1:
        parser.error(f"--runs must be at least 1, not {args.runs}")
    sizes = QUICK if args.quick else FULL
    runs = args.runs or sizes.runs
    sizes = replace(sizes, runs=runs, big_runs=runs if args.big_runs is None
                    else max(0, min(runs, args.big_runs)))
    output = args.output or default_output(args.quick, args.only, sizes)
    if output is not None:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.touch()
        except FileExistsError:
            parser.error(f"cannot write --output {output}: a part of its folder is a file")
        except OSError as exc:
            parser.error(f"cannot write --output {output}: {exc.strerror or exc}")
    return args, sizes, output


def main(argv: list[str] | None = None) -> int:
    args, sizes, output = plan(argv)
    load_before = os.getloadavg()
    started = time.perf_counter()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="archiver-bench-") as tmp:
        work = Path(tmp)
        if args.only in (None, "crawl"):
            rows += crawl_rows(sizes, work)
        if args.only in (None, "store"):
            rows += store_rows(sizes, work)
        if args.only in (None, "extract"):
            rows += extract_rows(sizes)
    load_after = os.getloadavg()
    minutes = (time.perf_counter() - started) / 60
    table = render(rows)
    print(table)
    context = (f"Machine: {machine()}.  \nLoad average (1/5/15 min) at start "
               f"{'/'.join(f'{x:.2f}' for x in load_before)}, at end "
               f"{'/'.join(f'{x:.2f}' for x in load_after)}; {sizes.runs} runs, "
               f"{minutes:.1f} minutes; sizes: {sizes.pages} and {sizes.big_pages} pages, "
               f"{sizes.articles} articles{' (quick mode)' if args.quick else ''}.")
    print("\n" + context)
    if output is None and not args.quick:
        _log("a partial run (--only, fewer runs or no large crawl): docs/benchmarks.md "
             "left as it is (--output FILE writes this table)")
    if output is not None:
        intro = Path(__file__).with_name("benchmarks_intro.md").read_text(encoding="utf-8")
        output.write_text(intro.replace("{table}", table).replace("{context}", context)
                          .replace("{date}", f"{datetime.now(UTC):%Y-%m-%d}"),
                          encoding="utf-8")
        _log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
