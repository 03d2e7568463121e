"""Learned site template in a real SQLite archive: rules (a) and (b), reclean, overrides, FTS."""

from __future__ import annotations

import sqlite3

import pytest

from archiver.extract.boilerplate import Overrides, block_key
from archiver.extract.page import Article, content_hash
from archiver.store.archive import Store

from ..support import article

PROMO = "OWNED BY OUR READERS: we are a reader-owned co-operative."
FUND = "You've Raised: £{n:,} of £20,000"
QUOTE = "“We will not accept the closure,” said the chair of the campaign."
WORDS = ("river bridge council budget school tram market library harbour strike nurses "
         "farmers festival museum station").split()


def story(i: int) -> list[str]:
    """Two paragraphs unique to article i (no shared sentences, no digits to mask)."""
    a, b, c = WORDS[i % 15], WORDS[(i * 7 + 3) % 15], WORDS[(i * 11 + 5) % 15]
    name = "".join(chr(97 + (i // 26 ** k) % 26) for k in range(3))
    return [f"The {a} story of {name} begins with the {b} and the {c}.",
            f"Officials from {name} said the {c} would change how the {a} works."]


def promo_story(i: int, *, quote: bool = False) -> Article:
    first, second = story(i)
    lines = [first, PROMO, FUND.format(n=3000 + 41 * i)] + ([QUOTE] if quote else []) + [second]
    text = "\n".join(lines)
    return article(f"http://news.example.test/a/{i}", f"Story {i}", text, fetched_url="")


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "archive.db") as s:
        yield s


def texts(store: Store) -> dict[str, str]:
    return {r["url"]: r["text"] for r in store.articles("s")}


def test_a_promo_on_every_page_leaves_every_article_including_the_first(store):
    for i in range(12):
        store.save_articles("s", [promo_story(i)])
        if i < 4:  # too few articles yet to call anything template
            assert PROMO in texts(store)[f"http://news.example.test/a/{i}"]
    rows = texts(store)
    assert len(rows) == 12
    for url, text in rows.items():
        assert "OWNED BY OUR READERS" not in text and "Raised" not in text, url
        i = int(url.rsplit("/", 1)[1])
        assert text == "\n".join(story(i)), url
    # the stored raw text keeps everything, so cleaning can be redone without a refetch
    raw = store.conn.execute("SELECT raw_text FROM articles WHERE url LIKE '%/a/0'").fetchone()
    assert PROMO in raw[0]
    # full-text search follows the cleaned text through the triggers
    assert store.search('"reader-owned"') == []
    assert store.search("officials")


def test_a_sentence_three_articles_of_forty_quote_is_kept_in_all_three(store):
    quoting = {3, 17, 30}
    for i in range(40):
        store.save_articles("s", [promo_story(i, quote=i in quoting)])
    rows = texts(store)
    for url, text in rows.items():
        i = int(url.rsplit("/", 1)[1])
        assert (QUOTE in text) == (i in quoting), url
        assert PROMO not in text
    # and the same after relearning from scratch
    assert store.reclean("s") == {"s": 0}
    assert sum(QUOTE in t for t in texts(store).values()) == 3


def test_reclean_applies_keep_and_drop_rules_and_counts_changes(store):
    for i in range(8):
        store.save_articles("s", [promo_story(i)])
    assert store.reclean("s", {"s": Overrides(keep_text=("owned by our readers",))}) == {"s": 8}
    assert all(PROMO in t for t in texts(store).values())
    listing = {b["text"]: b for b in store.template_blocks("s")}
    assert listing[PROMO]["template"] and not listing[PROMO]["removed"]
    assert listing[PROMO]["rule"] == "keep" and listing[PROMO]["articles"] == 8
    # the rules are remembered for later saves
    store.save_articles("s", [promo_story(8)])
    assert PROMO in texts(store)["http://news.example.test/a/8"]
    changed = store.reclean("s", {"s": Overrides(drop_text=("begins with",))})
    assert changed == {"s": 9}
    assert not any("begins with" in t or PROMO in t for t in texts(store).values())


def test_an_updated_article_is_recounted(store):
    for i in range(6):
        store.save_articles("s", [promo_story(i)])
    counts = dict(store.conn.execute("SELECT text, articles FROM site_blocks"))
    assert counts[PROMO] == 6
    first, second = story(0)
    text = f"{first}\n{second}\nA correction was added."
    store.save_articles("s", [Article(url="http://news.example.test/a/0", fetched_url="",
                                      title="Story 0", text=text,
                                      content_hash=content_hash("Story 0", text))])
    counts = dict(store.conn.execute("SELECT key, articles FROM site_blocks"))
    assert counts[block_key(PROMO)] == 5
    assert block_key("A correction was added.") not in counts  # in one article: no row
    assert store.conn.execute("SELECT count(*) FROM article_blocks WHERE key = ?",
                              (block_key("A correction was added."),)).fetchone()[0] == 1
    # the promo drops to one article: its row goes
    for i in range(1, 5):
        a = promo_story(i)
        plain = a.text.replace(PROMO + "\n", "")
        store.save_articles("s", [Article(url=a.url, fetched_url="", title=a.title, text=plain,
                                          content_hash=content_hash(a.title, plain))])
    counts = dict(store.conn.execute("SELECT key, articles FROM site_blocks"))
    assert block_key(PROMO) not in counts


def test_sites_learn_apart(store):
    for i in range(6):
        store.save_articles("s", [promo_story(i)])
    store.save_articles("other", [promo_story(100)])
    other = store.articles("other")[0]["text"]
    assert PROMO in other


def test_migration_keeps_an_older_archive_usable(tmp_path):
    """An archive made before m300 (no raw_text) is recleaned from its stored text."""
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.save_articles("s", [promo_story(i) for i in range(6)])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET raw_text = NULL, text = 'x' || char(10) || text")
    conn.commit()
    conn.close()
    with Store(path) as s:
        assert s.reclean() == {"s": 6}
        assert all(PROMO not in t for t in texts(s).values())


def block_texts(store: Store) -> dict[str, tuple[str | None, int]]:
    return {k: (t, n) for k, t, n in
            store.conn.execute("SELECT key, text, articles FROM site_blocks")}


@pytest.mark.parametrize("batched", [False, True])
def test_a_block_keeps_its_text_from_its_second_article_on(store, batched):
    """A block of one article is its own text (no row in site_blocks); a recurring one has its
    count and its text, as its second article has it; reclean rebuilds the same."""
    first = promo_story(0)
    text = first.text.replace(PROMO, PROMO.upper())
    second = Article(url="http://news.example.test/a/1", fetched_url="", title="Story 1",
                     text=text, content_hash=content_hash("Story 1", text))
    store.save_articles("s", [first])
    own = story(0)[0]
    assert block_texts(store) == {}
    if batched:
        store.save_articles("s", [promo_story(2), second])
    else:
        store.save_articles("s", [promo_story(2)])
        store.save_articles("s", [second])
    blocks = block_texts(store)
    assert blocks[block_key(PROMO)] == (PROMO, 3)  # as article 2, its second, has it
    assert blocks[block_key(own)] == (own, 2)
    assert block_key(story(2)[0]) not in blocks
    assert store.template_blocks("s")[0]["text"] == PROMO
    store.reclean("s")
    assert block_texts(store) == blocks


def test_a_batch_of_new_blocks_keeps_the_second_articles_line(store):
    a, b = promo_story(0), promo_story(1)
    text = b.text.replace(PROMO, PROMO.upper())
    b = Article(url=b.url, fetched_url="", title=b.title, text=text,
                content_hash=content_hash(b.title, text))
    store.save_articles("s", [a, b])
    assert block_texts(store)[block_key(PROMO)] == (PROMO.upper(), 2)


def test_migrations_drop_the_rows_of_blocks_seen_once(tmp_path):
    """m952 and m962 on an archive written before them (a row, with its text, for every block):
    the recurring blocks keep their counts and text, the blocks of one article lose their
    rows, and (site, template) gives way to (site, template, articles)."""
    from sqlite_utils import Database

    from archiver.store import migrations

    path = tmp_path / "old.db"
    with Store(path) as s:
        s.save_articles("s", [promo_story(i) for i in range(3)])
        recurring = block_texts(s)
    own = {block_key(line): line for i in range(3) for line in story(i)}
    conn = sqlite3.connect(path)
    conn.executemany("INSERT INTO site_blocks (site, key, text, articles, template) "
                     "VALUES ('s', ?, ?, 1, 0)", list(own.items()))
    conn.execute("CREATE INDEX idx_site_blocks_site_template ON site_blocks (site, template)")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name IN "
                 "('m952_block_text_once', 'm962_recurring_blocks_only')")
    conn.commit()
    migrations.apply(Database(conn))
    conn.close()
    with Store(path) as s:
        assert block_texts(s) == recurring
        assert recurring[block_key(PROMO)] == (PROMO, 3)
        indexes = {r[1] for r in s.conn.execute("PRAGMA index_list(site_blocks)")}
        assert "idx_site_blocks_site_template" not in indexes
        assert "idx_site_blocks_site_template_articles" in indexes


def raw_texts(store: Store) -> dict[str, str | None]:
    return dict(store.conn.execute("SELECT url, raw_text FROM articles"))


@pytest.mark.parametrize("batched", [False, True])
def test_raw_text_is_kept_only_for_articles_the_cleaning_changed(store, batched):
    """`raw_text` is NULL while the template removes nothing (the text is the extracted text:
    no second copy); once the promo turns template, every article it was removed from keeps
    its extracted text, and `coalesce(raw_text, text)` is the extracted text throughout."""
    arts = [promo_story(i) for i in range(12)]
    if batched:
        store.save_articles("s", arts[:4])
    else:
        for a in arts[:4]:
            store.save_articles("s", [a])
    assert set(raw_texts(store).values()) == {None}  # four articles: no template yet
    if batched:
        store.save_articles("s", arts[4:])
    else:
        for a in arts[4:]:
            store.save_articles("s", [a])
    raws = raw_texts(store)
    extracted = {a.url: a.text for a in arts}
    assert raws == extracted  # the promo and fund lines were removed from all twelve
    assert {u: t for u, t in store.conn.execute(
        "SELECT url, coalesce(raw_text, text) FROM articles")} == extracted
    # keeping the promo and the fund line again: nothing removed, the copies go
    assert store.reclean(overrides={"s": Overrides(keep_text=("reader-owned", "raised"))}) \
        == {"s": 12}
    assert set(raw_texts(store).values()) == {None}
    assert texts(store) == extracted


def test_opening_an_older_archive_drops_its_raw_text_copies(tmp_path):
    """Archives written before m960 kept `raw_text` for every article; an article the cleaning
    left alone loses the copy on open, a cleaned one keeps its raw text."""
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.save_articles("s", [promo_story(i) for i in range(6)])
        s.save_articles("s", [Article(url="http://news.example.test/plain", fetched_url="",
                                      title="Plain", text="Nothing to remove here.",
                                      content_hash=content_hash("Plain", "x"))])
    conn = sqlite3.connect(path)
    conn.execute("UPDATE articles SET raw_text = text WHERE raw_text IS NULL")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm960_raw_text_when_cleaned'")
    conn.commit()
    conn.close()
    with Store(path) as s:
        raws = raw_texts(s)
        assert raws["http://news.example.test/plain"] is None
        assert PROMO in raws["http://news.example.test/a/5"]
        assert PROMO not in texts(s)["http://news.example.test/a/5"]
