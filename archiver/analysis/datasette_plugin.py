"""Datasette hooks for the archive: month facet, highlighted snippets, the coverage chart."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

from datasette import hookimpl
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

#: The markers the ranked-search query asks snippet() to put around matched terms.
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
#: Seconds the archive's list of languages (which stemmers a search uses) is kept.
LANGUAGES_TTL = 30.0
_languages: dict[str, tuple[float, list]] = {}
_languages_lock = threading.Lock()


def _archive_languages(path: Any) -> list:
    """The archive's languages, read at most every LANGUAGES_TTL seconds (on a connection of
    its own: SQL functions must not run queries on the connection that calls them)."""
    from archiver.store.archive import Store

    key = str(path)
    with _languages_lock:
        cached = _languages.get(key)
        if cached is not None and time.monotonic() - cached[0] < LANGUAGES_TTL:
            return cached[1]
    try:
        with Store(path, readonly=True) as store:
            found = store.languages()
    except Exception:  # noqa: BLE001 - an unreadable archive searches its words as written
        found = [None]
    with _languages_lock:
        _languages[key] = (time.monotonic(), found)
    return found


@hookimpl(trylast=True)
def prepare_connection(conn: Any, database: str, datasette: Any) -> None:
    """Search in every language, in the table's search box and in SQL.

    `escape_fts`, which Datasette wraps around `?_search=`, becomes the archive's query
    rewriting (stems of the archive's languages, CJK bigrams; FTS5 syntax kept, and what
    FTS5 cannot parse searched word by word, as Datasette's own does), so
    `/archive/articles?_search=Gewerkschaften` finds "Gewerkschaft". Registered last, after
    Datasette's own `escape_fts`. SQL gets `archiver_match(q)` (the same rewriting, where
    what FTS5 cannot parse stays an error, which the Ranked search query shows) and
    `archiver_snippet(snippet, text, language, q)` (a CJK text's snippet, marked with <mark>).
    """
    path = getattr(datasette, "archiver_db_path", None)
    if path is None or database != getattr(datasette, "archiver_db_name", None):
        return
    from archiver.store import search_text

    def match(query: Any) -> Any:
        if not isinstance(query, str):
            return query
        return search_text.to_match(query, search_text.search_keys(_archive_languages(path)))

    def box_match(query: Any) -> Any:
        if not isinstance(query, str):
            return query
        return search_text.to_match_lenient(
            query, search_text.search_keys(_archive_languages(path)))

    def cjk_snippet(fts_snippet: Any, text: Any, language: Any, query: Any) -> Any:
        if not isinstance(text, str) or not isinstance(query, str) \
                or not search_text.has_unspaced(text):
            return fts_snippet
        return search_text.snippet(text, language if isinstance(language, str) else None,
                                   query, start_mark=MARK_OPEN, end_mark=MARK_CLOSE,
                                   width=140)

    conn.create_function("escape_fts", 1, box_match)
    conn.create_function("archiver_match", 1, match)
    conn.create_function("archiver_snippet", 4, cjk_snippet)


class MonthFacet(Facet):
    """Counts rows per calendar month of an ISO date column (`{"month": "published"}`).

    Datasette's date facet counts days, too many to scan for years of news. Selecting a month
    filters with `column__startswith=YYYY-MM`, a plain Datasette filter.
    """

    type = "month"

    async def suggest(self) -> list:
        return []

    async def facet_results(self) -> tuple[list, list]:
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            sql = f"""
                select substr({escape_sqlite(column)}, 1, 7) as value, count(*) as count
                from ({self.sql})
                where {escape_sqlite(column)} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'
                group by value order by value desc limit {size + 1}
            """
            try:
                rows = await self.ds.execute(
                    self.database, sql, self.params, truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"))
            except Exception as exc:  # QueryInterrupted: the facet times out, the page stays
                if type(exc).__name__ != "QueryInterrupted":
                    raise
                timed_out.append(column)
                continue
            values = []
            key = f"{column}__startswith"
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                path = (path_with_removed_args(self.request, {key: row["value"]}) if selected
                        else path_with_added_args(self.request, {key: row["value"]}))
                values.append({"value": row["value"], "label": row["value"],
                               "count": row["count"], "selected": selected,
                               "toggle_url": self.ds.absolute_url(self.request, path)})
            results.append({
                "name": column, "type": self.type, "results": values,
                "hideable": source_and_config["source"] != "metadata",
                "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                "truncated": len(rows) > size,
            })
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type[Facet]]:
    return [MonthFacet]


@hookimpl
def render_cell(value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | None:
    """A query's `snippet` column: escaped text with only the <mark> highlights as HTML.

    Everything else, article text included, keeps Datasette's default escaping.
    """
    if column != "snippet" or table is not None or not isinstance(value, str):
        return None
    if getattr(datasette, "archiver_db_path", None) is None:
        return None
    escaped = str(escape(value))
    return Markup(escaped.replace(str(escape(MARK_OPEN)), MARK_OPEN)
                  .replace(str(escape(MARK_CLOSE)), MARK_CLOSE))


@hookimpl
def menu_links(datasette: Any) -> list[dict[str, str]] | None:
    if getattr(datasette, "archiver_db_path", None) is None:
        return None
    return [{"href": datasette.urls.path("/-/coverage"), "label": "Coverage chart"}]


#: Folds the long list of column descriptions into a <details> so the rows come first
#: (without JavaScript the list simply stays open).
_FOLD_DESCRIPTIONS = """
document.querySelectorAll('dl.column-descriptions').forEach(function (dl) {
  var details = document.createElement('details');
  var summary = document.createElement('summary');
  summary.textContent = 'What the columns mean';
  details.className = 'column-descriptions-fold';
  dl.replaceWith(details);
  details.append(summary, dl);
});
"""


@hookimpl
def extra_body_script(datasette: Any, view_name: str) -> str | None:
    if getattr(datasette, "archiver_db_path", None) is None or view_name != "table":
        return None
    return _FOLD_DESCRIPTIONS


async def _coverage_svg(datasette: Any) -> bytes:
    from archiver.analysis.coverage import render
    from archiver.store.archive import Store

    def draw() -> bytes:
        with Store(datasette.archiver_db_path, readonly=True) as store:
            return render(store.articles_per_day(), "svg")

    return await asyncio.to_thread(draw)


def _require_archive(datasette: Any) -> None:
    if getattr(datasette, "archiver_db_path", None) is None:
        raise NotFound("not an archiver archive")


async def coverage_svg(datasette: Any) -> Response:
    """The coverage chart itself, as SVG (drawn from the archive at request time)."""
    _require_archive(datasette)
    return Response(await _coverage_svg(datasette), content_type="image/svg+xml",
                    headers={"Cache-Control": "max-age=60"})


async def coverage_page(datasette: Any, request: Any) -> Response:
    """A Datasette page around the coverage chart, linking the per-day query."""
    _require_archive(datasette)
    db_name = datasette.archiver_db_name
    return Response.html(await datasette.render_template(
        "archiver_coverage.html", {"db_name": db_name}, request=request))


@hookimpl
def register_routes(datasette: Any) -> list:
    # Routes are collected when Datasette is built, before serve.py marks the instance as an
    # archive, so the views themselves check for the mark.
    return [(r"^/-/coverage$", coverage_page), (r"^/-/coverage\.svg$", coverage_svg)]
