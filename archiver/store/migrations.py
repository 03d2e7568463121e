"""The archive's schema, as idempotent sqlite-utils migrations applied on every open.

**Run order is file order, not name order.** sqlite-utils applies the pending migrations in
the order they are declared below, each once, and records each by its name in
`_sqlite_migrations`. They run:

    m001 m200 m100 m600 m300 m700 m950 m951 m952 m960 m961 m962 m970 m971 m980 m972

The number in a name is part of the name, not a position: an archive records the names it has
applied, so renaming one would run it again on every existing archive (a rename needs a
migration of its own). A new migration goes at the end of this file, under an unused number.
tests/store/test_migration_order.py holds this list to what a new archive records.

One file (about 350 lines, most of it table declarations) because the order of the
declarations is the schema's history: split over modules, it would depend on import order.
The full-text triggers and the language-aware index forms are in `search_index`.
"""

from __future__ import annotations

import sys
import time

from archiver.store import search_index
from archiver.store.lean_imports import Database, Migrations

migrations = Migrations("archiver")

#: FTS5 tokenizer: Porter stemming over unicode61 with diacritics folded, so `peru` finds
#: "Perú" and `protest` finds "protesters".
FTS_TOKENIZE = "porter unicode61 remove_diacritics 2"
FTS_COLUMNS = ["title", "description", "text", "author"]


@migrations()
def m001_articles(db: Database) -> None:
    db.table("articles").create(
        {
            "id": int,
            "url": str,
            "site": str,
            "title": str,
            "author": str,
            "published": str,
            "modified": str,
            "date_source": str,
            "language": str,
            "description": str,
            "image": str,
            "sitename": str,
            "categories": str,
            "tags": str,
            "text": str,
            "word_count": int,
            "content_hash": str,
            "fetched_url": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
        not_null={"url", "site", "text", "content_hash", "first_seen", "last_seen"},
        if_not_exists=True,
    )
    db.table("articles").create_index(["url"], unique=True, if_not_exists=True)
    db.table("articles").create_index(["site", "published"], if_not_exists=True)
    db.table("articles").create_index(["published"], if_not_exists=True)
    db.table("articles").create_index(["content_hash"], if_not_exists=True)
    db.table("articles").enable_fts(FTS_COLUMNS, create_triggers=True, tokenize=FTS_TOKENIZE,
                              replace=True)


@migrations()
def m200_captures(db: Database) -> None:
    """Raw captures: where each fetched response lies in the WARC files, and which article
    came from which capture (issue 5)."""
    db.table("captures").create(
        {
            "id": int,
            "url": str,  #: WARC-Target-URI: the URL that was fetched
            "fetched_at": str,  #: ISO 8601 UTC, seconds
            "status": int,
            "content_type": str,
            "payload_digest": str,  #: WARC-Payload-Digest (sha1:BASE32)
            "record_type": str,  #: response | revisit
            "refers_to": int,  #: for a revisit: the capture holding the identical payload
            "warc_file": str,  #: relative to the database's folder (or absolute)
            "warc_offset": int,
            "warc_length": int,
            "site": str,
            "role": str,  #: page, listing, start, feed, sitemap, robots, redirect, import
            "hints": str,  #: JSON: what discovery knew (title, published, language)
            "source": str,  #: crawl | import
        },
        pk="id",
        not_null={"url", "fetched_at", "payload_digest", "record_type", "warc_file",
                  "warc_offset", "warc_length", "source"},
        if_not_exists=True,
    )
    db.table("captures").create_index(["url", "fetched_at"], if_not_exists=True)
    db.table("captures").create_index(["payload_digest"], if_not_exists=True)
    db.table("captures").create_index(["site", "role", "fetched_at"], if_not_exists=True)
    columns = db["articles"].columns_dict
    if "capture_id" not in columns:
        db.table("articles").add_column("capture_id", int)
    if "extractor_version" not in columns:
        db.table("articles").add_column("extractor_version", str)
    db.table("articles").create_index(["capture_id"], if_not_exists=True)


@migrations()
def m100_cron(db: Database) -> None:
    """Run records, per-URL failures, revisions, revisit state and the crawl frontier."""
    db.table("runs").create(
        {"id": int, "started": str, "finished": str, "sites": str, "status": str,
         "exit_code": int, "pages_fetched": int, "new": int, "updated": int,
         "unchanged": int, "skipped": str, "errors": str, "pid": int, "host": str},
        pk="id", not_null={"started", "status"}, if_not_exists=True,
    )
    db.table("runs").create_index(["started"], if_not_exists=True)
    db.table("run_sites").create(
        {"run_id": int, "site": str, "finish_reason": str, "pages_fetched": int,
         "new": int, "updated": int, "unchanged": int, "skipped": str, "errors": str},
        pk=("run_id", "site"), foreign_keys=[("run_id", "runs", "id")], if_not_exists=True,
    )
    db.table("fetch_log").create(
        {"id": int, "run_id": int, "fetched_at": str, "site": str, "url": str, "status": int,
         "error": str, "message": str},
        pk="id", foreign_keys=[("run_id", "runs", "id")],
        not_null={"fetched_at", "url", "error"},
        if_not_exists=True,
    )
    db.table("fetch_log").create_index(["run_id"], if_not_exists=True)
    db.table("fetch_log").create_index(["url"], if_not_exists=True)
    db.table("revisions").create(
        {"id": int, "article_id": int, "url": str, "fetched_at": str, "title": str,
         "text": str, "content_hash": str},
        pk="id", foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "fetched_at", "text", "content_hash"}, if_not_exists=True,
    )
    db.table("revisions").create_index(["article_id", "fetched_at"], if_not_exists=True)
    db.table("url_state").create(
        {"url": str, "site": str, "article_url": str, "etag": str, "last_modified": str,
         "last_checked": str, "next_check": str, "checks": int},
        pk="url", if_not_exists=True,
    )
    db.table("url_state").create_index(["article_url"], if_not_exists=True)
    db.table("frontier").create(
        {"url": str, "site": str, "role": str, "hops": int, "hints": str, "discovered": str,
         "attempts": int},
        pk="url", not_null={"site", "discovered"}, defaults={"attempts": 0}, if_not_exists=True,
    )
    db.table("frontier").create_index(["site", "discovered"], if_not_exists=True)
    columns = db["articles"].columns_dict
    if "revision_count" not in columns:
        db.table("articles").add_column("revision_count", int, not_null_default=0)
    if "last_changed" not in columns:
        db.table("articles").add_column("last_changed", str)


@migrations()
def m600_worker_runs(db: Database) -> None:
    """Name the distributed worker of a run: `runs.worker`, when the archive has run records.

    `runs` itself belongs to the cron migration; an archive without it yet gets no column here
    (the writer then tells worker runs apart by host, pid and start time).
    """
    if "runs" in db.table_names():
        if "worker" not in db["runs"].columns_dict:
            db.table("runs").add_column("worker", str)
        db.table("runs").create_index(["worker"], if_not_exists=True)


@migrations()
def m300_boilerplate(db: Database) -> None:
    """Pre-cleaning text per article, and per-site counts of text blocks (learned template)."""
    if "raw_text" not in db["articles"].columns_dict:
        db.table("articles").add_column("raw_text", str)
    db.table("site_blocks").create(
        {"site": str, "key": str, "text": str, "articles": int, "template": int},
        pk=("site", "key"), not_null={"site", "key", "articles", "template"},
        defaults={"articles": 0, "template": 0}, if_not_exists=True,
    )
    db.table("site_blocks").create_index(["site", "articles"], if_not_exists=True)
    db.table("site_blocks").create_index(["site", "template"], if_not_exists=True)
    db.table("article_blocks").create(
        {"article_id": int, "site": str, "key": str}, pk=("article_id", "key"),
        not_null={"article_id", "site", "key"}, if_not_exists=True,
    )
    db.table("article_blocks").create_index(["site", "key"], if_not_exists=True)
    db.table("clean_rules").create(
        {"site": str, "kind": str, "text": str}, pk=("site", "kind", "text"),
        if_not_exists=True,
    )


@migrations()
def m700_capture_place(db: Database) -> None:
    """Find a capture by its place in a WARC file: the writer indexes worker captures once."""
    if "captures" in db.table_names():
        db.table("captures").create_index(["warc_file", "warc_offset"], if_not_exists=True)


@migrations()
def m950_fts_update_trigger(db: Database) -> None:
    """Re-index an article's full text only when an indexed column changes (issue 8).

    sqlite-utils' update trigger fires on every UPDATE of `articles`, so the crawl's own
    bookkeeping (raw_text, capture_id, last_seen) re-tokenised the whole article each time:
    three to four times for each new page. Same trigger name, same index content.
    """
    cols = ", ".join(f'"{c}"' for c in FTS_COLUMNS)
    old = ", ".join(f'old."{c}"' for c in FTS_COLUMNS)
    new = ", ".join(f'new."{c}"' for c in FTS_COLUMNS)
    db.execute('DROP TRIGGER IF EXISTS "articles_au"')
    db.execute(
        f'CREATE TRIGGER "articles_au" AFTER UPDATE OF {cols} ON "articles" BEGIN\n'
        f'  INSERT INTO "articles_fts" ("articles_fts", rowid, {cols}) '
        f"VALUES('delete', old.rowid, {old});\n"
        f'  INSERT INTO "articles_fts" (rowid, {cols}) VALUES (new.rowid, {new});\n'
        "END")


@migrations()
def m951_site_blocks_flag_index(db: Database) -> None:
    """Find the blocks whose template flag must change by one index seek (issue 8).

    Every save re-derives its site's template: with only the (site, articles) and (site,
    template) indexes, one of the two flag queries walked every block seen once (a crawl's
    store time grew with the square of its size) or every template block (a site with a large
    template). With (site, template, articles) both are a range seek.
    """
    db.table("site_blocks").create_index(["site", "template", "articles"], if_not_exists=True)


@migrations()
def m952_block_text_once(db: Database) -> None:
    """Keep a block's text only once it recurs; drop an index another one covers (issue 8).

    A block seen in one article is that article's own text: `site_blocks` kept it a second
    time (about a fifth of the archive's size). Saves now write the text from a block's second
    article on (`SiteTemplates.learn`); this clears it from the blocks seen once (the freed
    pages are reused by later writes, or returned by `VACUUM`). (site, template) is the prefix of
    (site, template, articles): one b-tree less to write on every block count.
    """
    db.execute("UPDATE site_blocks SET text = NULL WHERE articles < 2 AND text IS NOT NULL")
    db.execute("DROP INDEX IF EXISTS idx_site_blocks_site_template")


@migrations()
def m960_raw_text_when_cleaned(db: Database) -> None:
    """Keep `raw_text` only for articles the cleaning changed (issue 8).

    Every row kept its extracted text twice, as `text` and as `raw_text`, though the learned
    template removes nothing from most articles: the copy doubled the articles table (725 MB
    against 410 MB for 100k articles of 3 KB) and a bulk store's disk writes. NULL now means
    "`text` is the extracted text" (`coalesce(raw_text, text)` is always the pre-cleaning
    text, as it was for archives made before m300). Freed pages are reused by later writes,
    or returned by `VACUUM`. `raw_text` is not indexed: the FTS triggers do not fire.
    """
    db.execute("UPDATE articles SET raw_text = NULL WHERE raw_text = text")


@migrations()
def m961_drop_site_blocks_articles_index(db: Database) -> None:
    """Drop the (site, articles) index of `site_blocks` (issue 8).

    Every block count a save adds or changes rewrote an entry of it, and only `archiver
    template` read it; that listing now seeks (site, template, articles) for both flags.
    """
    db.execute("DROP INDEX IF EXISTS idx_site_blocks_site_articles")


@migrations()
def m962_recurring_blocks_only(db: Database) -> None:
    """`site_blocks` lists the blocks at least two of a site's articles have (issue 8).

    It had a row for every paragraph of the archive, most of them one article's own text,
    and each new one was one more write into a random-key index: about a sixth of a bulk
    store's time (bench/ row 3). Counts are now taken from `article_blocks`, which keeps
    every block of every article (`SiteTemplates.count_blocks`); the rows of blocks in fewer than
    two articles go.
    """
    db.execute("DELETE FROM site_blocks WHERE articles < 2")


@migrations()
def m970_skipped_pages(db: Database) -> None:
    """Every fetched page judged not to be an article, with why (issue 18: nothing silently
    lost).

    A table of its own, not `url_state`: that one is the revisit schedule of archived pages
    and feeds (its rows decide conditional requests and what is due), and a skipped page has
    neither. One row per URL (the latest decision): the URL that was requested, where the
    response came from, the site, the run, the reason, the classifier's score (NULL when the
    page was decided before classification) and the capture holding the response, which
    `archiver reextract` decides again. A page archived as an article later leaves it.
    """
    db.table("skipped_pages").create(
        {"url": str, "fetched_url": str, "site": str, "run_id": int, "reason": str,
         "score": float, "fetched_at": str, "capture_id": int},
        pk="url", not_null={"site", "reason", "fetched_at"}, if_not_exists=True,
    )
    db.table("skipped_pages").create_index(["site", "reason"], if_not_exists=True)
    db.table("skipped_pages").create_index(["fetched_url"], if_not_exists=True)
    db.table("skipped_pages").create_index(["capture_id"], if_not_exists=True)


@migrations()
def m971_articles_paywalled(db: Database) -> None:
    """`articles.paywalled`: 1 when the page marks the story as for subscribers (issue 18);
    what is stored is the visible part. Existing rows get 0 (`archiver reextract` decides
    them from their captures)."""
    if "paywalled" not in db["articles"].columns_dict:
        db.table("articles").add_column("paywalled", int, not_null_default=0)

@migrations()
def m980_multilingual_search(db: Database) -> None:
    """Language-aware search (issue 21): stems for the article's language and bigrams for
    unspaced scripts, kept in `search_forms` and fed to `articles_fts` by the triggers.

    Rebuilds the index entries of the articles it changes, in place, once, printing a
    progress line on stderr; the articles themselves are not touched. The index on
    `language` lets a search list the archive's languages in a few seeks.
    """
    db.table(search_index.SEARCH_FORMS).create(
        {"id": int, "title": str, "description": str, "text": str, "author": str},
        pk="id", if_not_exists=True)
    db.table("articles").create_index(["language"], if_not_exists=True)
    search_index.create_triggers(db)
    conn = db.conn
    ids = [row[0] for row in conn.execute("SELECT id FROM articles ORDER BY id")]
    if not ids:
        return
    started = time.monotonic()
    live = sys.stderr.isatty()  # one line redrawn on a terminal; a start and an end line in logs
    if not live:
        print(f"archiver: re-indexing {len(ids)} articles for multilingual search (once)",
              file=sys.stderr, flush=True)
    changed = 0
    for at in range(0, len(ids), 5000):
        changed += search_index.refresh_search_forms(conn, ids[at:at + 5000])
        done = min(at + 5000, len(ids))
        line = (f"archiver: re-indexing for multilingual search: {done}/{len(ids)} articles "
                f"({changed} in other languages or scripts)")
        if live:
            print(f"\r{line}", end="", file=sys.stderr, flush=True)
    print(f"{'' if live else line} — done in {time.monotonic() - started:.1f} s",
          file=sys.stderr, flush=True)


@migrations()
def m972_revisit_reasons(db: Database) -> None:
    """`revisits`: each time a crawl looked again at an archived article, and why (issue 22).

    `reason` is `schedule` (the revisit schedule made it due) or `lastmod` (its sitemap
    `<lastmod>` or feed `<updated>` / `dc:modified` was newer than the archive's last fetch).
    `archiver history` shows it beside each version.
    """
    db.table("revisits").create(
        {"id": int, "article_url": str, "url": str, "site": str, "run_id": int,
         "requested": str, "reason": str, "site_modified": str},
        pk="id", not_null={"article_url", "url", "requested", "reason"}, if_not_exists=True,
    )
    db.table("revisits").create_index(["article_url", "requested"], if_not_exists=True)


def apply(db: Database) -> None:
    """Bring the database's schema up to date (a no-op when it already is)."""
    migrations.apply(db)

