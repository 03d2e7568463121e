"""The full-text index's upkeep below the queries: the FTS triggers, the language-aware index
forms (`search_forms`) each write leaves behind, and the index's segment count.

Shared by the migrations (which create the triggers and fill `search_forms` once) and by the
store's transactions (which write the forms of the articles they changed before committing),
so it imports neither.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from archiver.store.lean_imports import Database
from archiver.store.search_forms import FORM_COLUMNS, forms

#: The language-aware index forms of the articles whose index differs from their text
#: (archiver/store/search_text.py): stems, CJK bigrams. No row: the index holds the article's
#: columns.
SEARCH_FORMS = "search_forms"


def create_triggers(db: Database) -> None:
    """The FTS triggers, in plain SQL, keeping one rule whoever writes (archiver, sqlite3,
    sqlite-utils): `articles_fts` holds an article's `search_forms` row when it has one, else
    its own columns. Any write to an indexed column puts the article's own columns back (the
    archiver then writes the new forms); writing `search_forms` swaps the index entry."""
    cols = ", ".join(f'"{c}"' for c in FORM_COLUMNS)

    def vals(prefix: str) -> str:
        return ", ".join(f'{prefix}"{c}"' for c in FORM_COLUMNS)

    no_form = f"NOT EXISTS (SELECT 1 FROM {SEARCH_FORMS} WHERE id = old.id)"
    for name in ("articles_ai", "articles_ad", "articles_au", "search_forms_ai",
                 "search_forms_ad", "search_forms_au"):
        db.execute(f'DROP TRIGGER IF EXISTS "{name}"')
    db.execute(
        'CREATE TRIGGER "articles_ai" AFTER INSERT ON "articles" BEGIN\n'
        f'  INSERT INTO "articles_fts" (rowid, {cols}) VALUES (new.rowid, {vals("new.")});\n'
        "END")
    db.execute(
        'CREATE TRIGGER "articles_ad" AFTER DELETE ON "articles" BEGIN\n'
        f'  INSERT INTO "articles_fts" ("articles_fts", rowid, {cols}) '
        f"SELECT 'delete', old.rowid, {vals('old.')} WHERE {no_form};\n"
        f"  DELETE FROM {SEARCH_FORMS} WHERE id = old.id;\n"
        "END")
    db.execute(
        f'CREATE TRIGGER "articles_au" AFTER UPDATE OF {cols}, "language" ON "articles" BEGIN\n'
        f'  INSERT INTO "articles_fts" ("articles_fts", rowid, {cols}) '
        f"SELECT 'delete', old.rowid, {vals('old.')} WHERE {no_form};\n"
        f'  INSERT INTO "articles_fts" (rowid, {cols}) '
        f"SELECT new.rowid, {vals('new.')} WHERE {no_form};\n"
        f"  DELETE FROM {SEARCH_FORMS} WHERE id = old.id;\n"
        "END")
    db.execute(
        f'CREATE TRIGGER "search_forms_ai" AFTER INSERT ON {SEARCH_FORMS} BEGIN\n'
        f'  INSERT INTO "articles_fts" ("articles_fts", rowid, {cols}) '
        f"SELECT 'delete', a.id, {vals('a.')} FROM articles a WHERE a.id = new.id;\n"
        f'  INSERT INTO "articles_fts" (rowid, {cols}) SELECT new.id, {vals("new.")} '
        "WHERE EXISTS (SELECT 1 FROM articles WHERE id = new.id);\n"
        "END")
    db.execute(
        f'CREATE TRIGGER "search_forms_au" AFTER UPDATE ON {SEARCH_FORMS} BEGIN\n'
        f'  INSERT INTO "articles_fts" ("articles_fts", rowid, {cols}) '
        f"VALUES ('delete', old.id, {vals('old.')});\n"
        f'  INSERT INTO "articles_fts" (rowid, {cols}) VALUES (new.id, {vals("new.")});\n'
        "END")
    db.execute(
        f'CREATE TRIGGER "search_forms_ad" AFTER DELETE ON {SEARCH_FORMS} BEGIN\n'
        f'  INSERT INTO "articles_fts" ("articles_fts", rowid, {cols}) '
        f"VALUES ('delete', old.id, {vals('old.')});\n"
        f'  INSERT INTO "articles_fts" (rowid, {cols}) SELECT a.id, {vals("a.")} '
        "FROM articles a WHERE a.id = old.id;\n"
        "END")


def refresh_search_forms(conn: sqlite3.Connection, ids: Iterable[int]) -> int:
    """Bring the `search_forms` rows of these articles in line with their current text and
    language (the triggers move the index along); returns how many rows changed."""
    ids = list(ids)
    changed = 0
    for at in range(0, len(ids), 500):
        chunk = ids[at:at + 500]
        marks = ", ".join("?" for _ in chunk)
        rows = conn.execute(
            "SELECT a.id, a.title, a.description, a.text, a.author, a.language, s.id, "
            f"s.title, s.description, s.text, s.author FROM articles a LEFT JOIN {SEARCH_FORMS} s "
            f"ON s.id = a.id WHERE a.id IN ({marks})", chunk).fetchall()
        for article_id, title, description, text, author, language, kept, *old in rows:
            new = forms(title, description, text, author, language)
            if new is None:
                if kept is not None:
                    conn.execute(f"DELETE FROM {SEARCH_FORMS} WHERE id = ?", (article_id,))
                    changed += 1
            elif kept is None:
                conn.execute(f"INSERT INTO {SEARCH_FORMS} (id, title, description, text, "
                             "author) VALUES (?, ?, ?, ?, ?)", (article_id, *new))
                changed += 1
            elif tuple(old) != new:
                conn.execute(f"UPDATE {SEARCH_FORMS} SET title = ?, description = ?, text = ?, "
                             "author = ? WHERE id = ?", (*new, article_id))
                changed += 1
    return changed


def track_forms(conn: sqlite3.Connection) -> None:
    """Note the articles this connection writes, so each transaction ends by writing their
    language-aware index forms (`flush_forms`). TEMP: other programs writing the archive have
    no Python to run, and the plain-SQL triggers index their rows as written.
    """
    conn.executescript(
        "CREATE TEMP TABLE IF NOT EXISTS search_dirty (id INTEGER PRIMARY KEY);"
        "CREATE TEMP TRIGGER IF NOT EXISTS search_dirty_ai AFTER INSERT ON main.articles "
        "BEGIN INSERT OR IGNORE INTO search_dirty VALUES (new.id); END;"
        "CREATE TEMP TRIGGER IF NOT EXISTS search_dirty_au AFTER UPDATE OF title, "
        "description, text, author, language ON main.articles "
        "BEGIN INSERT OR IGNORE INTO search_dirty VALUES (new.id); END;")


def flush_forms(conn: sqlite3.Connection) -> None:
    """Write the index forms (stems, bigrams) of the articles written since the last flush,
    inside the transaction that wrote them."""
    ids = [row[0] for row in conn.execute("SELECT id FROM temp.search_dirty")]
    if ids:
        conn.execute("DELETE FROM temp.search_dirty")
        refresh_search_forms(conn, ids)


def _varint(data: bytes, i: int) -> tuple[int, int]:
    """One SQLite varint from `data` at `i`: its value and the offset after it."""
    value = 0
    for n in range(9):
        byte = data[i]
        i += 1
        if n == 8:
            return (value << 8) | byte, i
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value, i


def index_segments(conn: sqlite3.Connection) -> int:
    """The segment count of `articles_fts`, read from FTS5's structure record (row 10 of
    `articles_fts_data`: a 4-byte cookie, then varints: levels, segments, ...)."""
    row = conn.execute("SELECT block FROM articles_fts_data WHERE id = 10").fetchone()
    if row is None:
        return 0
    levels, i = _varint(row[0], 4)
    return _varint(row[0], i)[0] if levels else 0
