"""The archive in one SQLite file, as one object: `Store`, a facade over the parts that keep
each thing (every SQL statement lives in the part that owns its tables):

- `core`: the connection, migrations, transactions, and what a SQLite error becomes;
- `article_rows` (articles.py, batch.py): articles and revisions;
- `site_templates`, `clean_rules` (templates.py): learned site templates, keep/drop rules;
- `capture_index` (captures.py): where each capture lies in the WARC files;
- `run_log` (runs.py): runs and the fetch log;
- `crawl_state` (crawl_state.py): revisit state, revisits, the local frontier;
- `skipped_pages` (skipped.py): pages judged not to be articles;
- `full_text` (search.py): search, export streams, index upkeep;
- `summaries` (summaries.py): analysts' summaries.

Code that needs one thing can take its part (`store.crawl_state`); `Store`'s own methods are
the parts' methods under the names the archiver has always used.
"""

from __future__ import annotations

from pathlib import Path

from archiver.store.articles import ArticleRows
from archiver.store.batch import INSERT_COLUMNS as _INSERT_COLUMNS  # noqa: F401 (tests)
from archiver.store.batch import Outcome, insert_rows
from archiver.store.captures import CaptureIndex
from archiver.store.clock import now_iso
from archiver.store.core import BUSY_TIMEOUT_ENV, BUSY_TIMEOUT_MS, Core, busy_timeout_ms, connect
from archiver.store.crawl_state import CrawlState
from archiver.store.runs import RunLog
from archiver.store.search import BULK_SHARE, LANGUAGES_TTL, MERGE_PAGES, FullText, SearchHit
from archiver.store.search_index import index_segments
from archiver.store.skipped import SkippedPages
from archiver.store.summaries import Summaries
from archiver.store.templates import CleanRules, SiteTemplates

__all__ = ["BULK_SHARE", "BUSY_TIMEOUT_ENV", "BUSY_TIMEOUT_MS", "LANGUAGES_TTL", "MERGE_PAGES",
           "Outcome", "SearchHit", "Store", "busy_timeout_ms", "connect", "index_segments",
           "insert_rows", "now_iso"]


class Store:
    """The archive in one SQLite file: articles, their full-text index, and the crawl's records.

    Each method is one of a part's (see the module docstring), bound here once.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False, check: bool = False) -> None:
        self.core = core = Core(path, readonly=readonly, check=check)
        self.path = core.path
        self.conn = core.conn
        self.db = core.db
        self.close = core.close
        self.quick_check = core.quick_check
        self.transaction = core.transaction
        self.batch = core.batch

        self.clean_rules = rules = CleanRules(core)
        self.remember_overrides = rules.remember_overrides
        self.overrides = rules.overrides

        self.site_templates = templates = SiteTemplates(core, rules)
        self.reclean = templates.reclean
        self.template_blocks = templates.template_blocks

        self.skipped_pages = skipped = SkippedPages(core)
        self.skip_pages = skipped.skip_pages
        self.skip_page = skipped.skip_page
        self.redecide_skip = skipped.redecide_skip
        self.skipped_by_site = skipped.skipped_by_site

        self.article_rows = articles = ArticleRows(core, templates, skipped)
        self.save_articles = articles.save_articles
        self.save_many = articles.save_many
        self.restore_article = articles.restore_article
        self.count = articles.count
        self.articles = articles.articles
        self.article_columns = articles.article_columns
        self.versions = articles.versions
        self._save = articles.save  # the row-by-row reference of tests/store/test_store_batch
        self._link_capture = articles.link_capture

        self.crawl_state = state = CrawlState(core, articles, skipped)
        self.save_page = state.save_page
        self.record_pages = state.record_pages
        self.needs_fetch = state.needs_fetch
        self.revisit_state = state.revisit_state
        self.record_revisit = state.record_revisit
        self.revisits = state.revisits
        self.due_urls = state.due_urls
        self.validators = state.validators
        self.remember_validators = state.remember_validators
        self.mark_checked = state.mark_checked
        self.mark_not_modified = state.mark_not_modified
        self.frontier_add = state.frontier_add
        self.frontier_done = state.frontier_done
        self.frontier_attempt = state.frontier_attempt
        self.frontier = state.frontier

        self.capture_index = captures = CaptureIndex(core)
        self.add_capture = captures.add_capture
        self.add_captures_once = captures.add_captures_once
        self.original_capture = captures.original_capture
        self.capture = captures.capture
        self.capture_count = captures.capture_count
        self.count_captures = captures.count_captures
        self.iter_captures = captures.iter_captures

        self.run_log = runs = RunLog(core)
        self.start_run = runs.start_run
        self.finish_run = runs.finish_run
        self.record_worker_run = runs.record_worker_run
        self.running_worker_runs = runs.running_worker_runs
        self.mark_run_lost = runs.mark_run_lost
        self.log_failure = runs.log_failure
        self.runs = runs.runs
        self.fetch_failures = runs.fetch_failures
        self.recent_runs = runs.recent_runs
        self.fetch_failures_since = runs.fetch_failures_since

        self.full_text = text = FullText(core)
        self.languages = text.languages
        self.match_expression = text.match_expression
        self.search = text.search
        self.count_articles = text.count_articles
        self.iter_articles = text.iter_articles
        self.index_segments = text.index_segments
        self.tidy_search_index = text.tidy_search_index
        self.optimize_search_index = text.optimize_search_index

        self.summaries = summaries = Summaries(core)
        self.tables = summaries.tables
        self.articles_per_day = summaries.articles_per_day
        self.site_summaries = summaries.site_summaries
        self.site_origins = summaries.site_origins

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
