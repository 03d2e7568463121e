"""`archiver demo`: serve the bundled demo site on loopback, crawl it, show the archive."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from archiver.config import load_config
from archiver.crawl.run import run_crawl
from archiver.demo.siteserver import SiteServer
from archiver.errors import ArchiverError, ExitCode
from archiver.store.archive import Store


def demo_site_root() -> Path:
    """The folder of the bundled demo site."""
    return Path(str(resources.files("archiver.demo") / "demo_site"))


def demo_config_text(origin: str) -> str:
    """The demo's sites config, pointed at a server's origin."""
    template = (resources.files("archiver.demo") / "demo.toml").read_text(encoding="utf-8")
    return template.replace("{origin}", origin)


#: The demo site's port on 127.0.0.1. Fixed, so the articles keep their URLs from one demo
#: to the next: a second `make demo` into the same archive finds them already there, instead
#: of storing all of them again under a new address.
DEMO_PORT = 8712


def _serve(port: int, echo: Callable[[str], None]) -> SiteServer:
    """The demo site's server on `port`, or on a free port (with a note) when it is taken."""
    try:
        return SiteServer(demo_site_root(), port=port)
    except OSError as exc:
        if port == 0:
            raise
        echo(f"note: cannot serve on port {port} ({exc.strerror}); serving on a free port, "
             "so articles from an earlier demo are stored again under the new address")
        return SiteServer(demo_site_root())


def run_demo(db_path: Path, *, query: str = "peru", port: int = DEMO_PORT,
             echo: Callable[[str], None] = print) -> ExitCode:
    """Crawl the demo site into `db_path` and print the summary, the articles and a search."""
    with _serve(port, echo) as server, tempfile.TemporaryDirectory() as tmp:
        config_path = Path(tmp) / "demo-sites.toml"
        config_path.write_text(demo_config_text(server.origin), encoding="utf-8")
        echo(f"demo site: {server.origin}/ (serving {demo_site_root().name}/)")
        summary = run_crawl(load_config(config_path), db_path, log_level="WARNING")
    echo(summary.render())
    try:
        with Store(db_path, readonly=True) as store:
            rows = store.articles("demo")
            echo(f"\narchived articles ({len(rows)}):")
            for row in rows:
                echo(f"  {(row['published'] or '')[:10]}  {row['word_count']:>4} words  "
                     f"{row['title']}")
            hits = store.search(query, limit=5)
    except ArchiverError:
        raise
    echo(f"\nsearch {query!r}: {len(hits)} match(es)")
    for hit in hits:
        echo(f"  {hit.title}\n    {' '.join(hit.snippet.split())}")
    echo(f"\nNext: archiver search 'protest*' --db {db_path}   |   "
         f"sqlite3 {db_path} 'select title, published from articles'")
    return summary.exit_code
