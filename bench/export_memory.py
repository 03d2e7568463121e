"""Benchmark: `archiver export` memory stays flat as the archive grows (10k vs 100k rows).

Builds two generated archives, exports each in a fresh process (to /dev/null) and prints each
export's peak RSS and their ratio. Streaming export gives a ratio near 1; an export that loads
every row would show about 10. Run: `make bench` (or `python bench/export_memory.py`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from archiver.extract.page import Article, content_hash
from archiver.store.archive import Store

WORDS = ("council strike union housing rail library peru protest budget election court "
         "hospital school climate energy market river bridge festival museum").split()


def build(db: Path, rows: int) -> None:
    """An archive of `rows` generated articles of about 300 words each."""
    with Store(db) as store:
        batch = []
        for i in range(rows):
            text = " ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(300))
            title = f"Article {i} about {WORDS[i % len(WORDS)]}"
            url = f"https://news.example/{i}"
            batch.append(Article(url=url, fetched_url=url, title=title, text=text,
                                 published=f"2024-01-{1 + i % 28:02d}",
                                 tags=[WORDS[i % 5]], word_count=300,
                                 content_hash=content_hash(title, text)))
            if len(batch) == 5000:
                store.save_articles("bench", batch, seen_at="2024-02-01T00:00:00+00:00")
                batch = []
        if batch:
            store.save_articles("bench", batch, seen_at="2024-02-01T00:00:00+00:00")


CHILD = """
import resource, sys
from archiver.cli import cli
try:
    cli(["export", "--db", sys.argv[1], "--format", sys.argv[2], "-o", "/dev/null"])
except SystemExit:
    pass
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_rss_kib(db: Path, fmt: str) -> int:
    """Peak RSS (KiB) of one export in its own process."""
    out = subprocess.run([sys.executable, "-c", CHILD, str(db), fmt], check=True,
                         capture_output=True, text=True).stdout
    return int(out.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {}
        for n in (args.small, args.large):
            db = Path(tmp) / f"archive-{n}.db"
            build(db, n)
            sizes[n] = db
            print(f"built {n} rows: {db.stat().st_size / 1e6:.0f} MB", flush=True)
        for fmt in ("jsonl", "csv"):
            small, large = (peak_rss_kib(sizes[n], fmt) for n in (args.small, args.large))
            print(f"export --format {fmt}: peak RSS {small / 1024:.1f} MiB at {args.small} rows, "
                  f"{large / 1024:.1f} MiB at {args.large} rows; ratio {large / small:.2f} "
                  f"(rows ratio {args.large / args.small:.0f})")


if __name__ == "__main__":
    main()
