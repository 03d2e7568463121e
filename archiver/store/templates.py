"""Site templates in the archive: each article's blocks, each site's recurring blocks with
their counts and template flags, the sites' keep/drop rules (`CleanRules`), and the cleaned
texts.

The decisions (what is template for a site of this size, what a text becomes) are
archiver/extract/template.py's; this module supplies them the counts and writes their
answers. Three ways to learn, one set of decisions: from one saved article (`learn`), from a
batch of new articles (`learn_new`), from every stored raw text again (`reclean`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from archiver.extract import boilerplate, template
from archiver.extract.page import Article
from archiver.store.core import Core, Part, chunks, marks

Progress = Callable[[float], None]
#: A block's count row: (site, key, its line or None, in how many of the site's articles).
BlockCount = tuple[str, str, str | None, int]


@dataclass(slots=True)
class NewArticle:
    """An article a batch has just inserted, already cleaned by its site's template then."""

    site: str
    article_id: int
    raw: str
    text: str
    blocks: dict[str, str]  #: key -> line (`boilerplate.blocks` of `raw`)
    cleaned_by: set[str]  #: the template blocks `text` was cleaned by


class CleanRules(Part):
    """`clean_rules`: each site's keep/drop rules from sites.toml, remembered."""

    def set_overrides(self, site: str, overrides: boilerplate.Overrides) -> None:
        """Replace a site's rules (inside the caller's transaction)."""
        self.conn.execute("DELETE FROM clean_rules WHERE site = ?", (site,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO clean_rules (site, kind, text) VALUES (?, ?, ?)",
            [(site, "keep", t) for t in overrides.keep_text]
            + [(site, "drop", t) for t in overrides.drop_text])

    def remember_overrides(self, site: str, overrides: boilerplate.Overrides) -> None:
        """Keep a site's keep/drop rules in the archive; later saves and recleans apply them.

        Writes only when the rules changed, so opening a crawl takes no write lock for nothing.
        """
        if self.overrides(site) == overrides:
            return
        with self.core.writing("store cleaning rules"):
            self.set_overrides(site, overrides)

    def overrides(self, site: str) -> boilerplate.Overrides:
        """The keep/drop rules last given for a site."""
        rows = self.conn.execute("SELECT kind, text FROM clean_rules WHERE site = ? ORDER BY rowid",
                                 (site,)).fetchall()
        return boilerplate.Overrides(tuple(t for k, t in rows if k == "keep"),
                                     tuple(t for k, t in rows if k == "drop"))


class SiteTemplates(Part):
    """`article_blocks`, `site_blocks`, and the cleaned `articles.text`."""

    def __init__(self, core: Core, rules: CleanRules) -> None:
        super().__init__(core)
        self.rules = rules

    # -- counts and flags ------------------------------------------------------------------

    def template_keys(self, site: str) -> set[str]:
        """The keys of the site's blocks that are template now (a range seek on the
        `(site, template, articles)` index: recurring blocks only, a small set)."""
        return {k for (k,) in self.conn.execute(
            "SELECT key FROM site_blocks WHERE site = ? AND template = 1", (site,))}

    def count_blocks(self, site: str, keys: Iterable[str]) -> dict[str, int]:
        """In how many of the site's articles each of these blocks is (absent: none)."""
        counts: dict[str, int] = {}
        for chunk in chunks(list(keys)):
            counts.update(self.conn.execute(
                f"SELECT key, count(*) FROM article_blocks WHERE site = ? AND key IN "
                f"({marks(chunk)}) GROUP BY key", (site, *chunk)))
        return counts

    def write_block_counts(self, rows: list[BlockCount]) -> None:
        """Write the counts into `site_blocks`: a recurring block gets its count (and its line,
        unless it has one already); one that no longer recurs has no row."""
        self.conn.executemany(
            "INSERT INTO site_blocks (site, key, text, articles, template) VALUES (?, ?, ?, ?, 0) "
            "ON CONFLICT (site, key) DO UPDATE SET articles = excluded.articles, "
            "text = coalesce(site_blocks.text, excluded.text)",
            [(s, k, template.kept_line(line), n) for s, k, line, n in rows if template.recurs(n)])
        self.conn.executemany("DELETE FROM site_blocks WHERE site = ? AND key = ?",
                              [(s, k) for s, k, _, n in rows if not template.recurs(n)])

    def retemplate(self, site: str) -> list[str]:
        """Set each block's template flag for the site's current size; the keys that changed."""
        n = self.conn.execute("SELECT count(*) FROM articles WHERE site = ?", (site,)).fetchone()[0]
        t = template.threshold(n)
        up = self.conn.execute("UPDATE site_blocks SET template = 1 WHERE site = ? AND "
                               "articles >= ? AND template = 0 RETURNING key", (site, t)).fetchall()
        down = self.conn.execute("UPDATE site_blocks SET template = 0 WHERE site = ? AND "
                                 "template = 1 AND +articles < ? RETURNING key",
                                 (site, t)).fetchall()
        return [k for (k,) in up + down]

    def having(self, site: str, keys: Iterable[str]) -> set[int]:
        """The ids of the site's articles that have any of these blocks."""
        found: set[int] = set()
        for key in keys:
            found.update(i for (i,) in self.conn.execute(
                "SELECT article_id FROM article_blocks WHERE site = ? AND key = ?", (site, key)))
        return found

    # -- cleaned texts ---------------------------------------------------------------------

    def precleaned(self, site: str, a: Article) -> tuple[dict[str, Any], dict[str, str]]:
        """The article's `text`, `word_count` and `raw_text` as the row should get them, cleaned
        by the site's current template, and its blocks (for `learn`).

        Written with the row, the text is indexed once; `learn` re-cleans the row only when
        counting its blocks changes the template (as a batch save does). Writing the raw text
        first and cleaning after indexed every new article of a learned site twice.
        """
        block_map = boilerplate.blocks(a.text)
        out = template.cleaned(a.text, self.template_keys(site), self.rules.overrides(site),
                               a.word_count)
        return {"text": out.text, "word_count": out.word_count,
                "raw_text": out.raw_text}, block_map

    def clean(self, article_id: int, overrides: boilerplate.Overrides) -> bool:
        """Rewrite one article's text from its raw text; whether the text changed."""
        raw, text = self.conn.execute("SELECT coalesce(raw_text, text), text FROM articles "
                                      "WHERE id = ?", (article_id,)).fetchone()
        keys = {k for (k,) in self.conn.execute(
            "SELECT b.key FROM article_blocks b JOIN site_blocks s ON s.site = b.site "
            "AND s.key = b.key WHERE b.article_id = ? AND s.template = 1", (article_id,))}
        out = template.cleaned(raw, keys, overrides)
        if out.text == text:
            return False
        self.set_texts([(out.text, out.word_count, out.raw_text, article_id)])
        return True

    def set_texts(self, rows: list[tuple[str, int, str | None, int]]) -> None:
        """Write (text, word_count, raw_text, id) of cleaned articles."""
        self.conn.executemany("UPDATE articles SET text = ?, word_count = ?, raw_text = ? "
                              "WHERE id = ?", rows)

    # -- learning --------------------------------------------------------------------------

    def learn(self, site: str, article_id: int, raw_text: str, *,
              block_map: dict[str, str] | None = None) -> None:
        """Count the article's blocks for its site, then clean it and every article whose
        template changed because of it.

        `site_blocks` lists the recurring blocks only (`template.recurs`), with their count
        and their line as the second article has it: a block of one article is that article's
        own text, and a row for every paragraph of the archive made a bulk store write each
        into one more random-key index (bench/ row 3). The counts come from `article_blocks`,
        which has every block of every article (`count_blocks`).
        """
        if block_map is None:  # else the caller wrote `raw_text` with the row
            self.conn.execute("UPDATE articles SET raw_text = nullif(?, text) WHERE id = ?",
                              (raw_text, article_id))
        new = boilerplate.blocks(raw_text) if block_map is None else block_map
        old = {k for (k,) in self.conn.execute(
            "SELECT key FROM article_blocks WHERE article_id = ?", (article_id,))}
        gone = old - new.keys()
        added = new.keys() - old
        self.conn.executemany("DELETE FROM article_blocks WHERE article_id = ? AND key = ?",
                              [(article_id, k) for k in gone])
        self.conn.executemany("INSERT INTO article_blocks (article_id, site, key) VALUES (?, ?, ?)",
                              [(article_id, site, k) for k in added])
        now = self.count_blocks(site, gone | added)
        self.write_block_counts([(site, k, new.get(k), now.get(k, 0)) for k in gone | added])
        affected = {article_id} | self.having(site, self.retemplate(site))
        overrides = self.rules.overrides(site)
        for other in affected:
            self.clean(other, overrides)

    def learn_new(self, new: list[NewArticle],
                  overrides: Callable[[str], boilerplate.Overrides]) -> None:
        """`learn` for a batch of just-inserted articles: their blocks written, the counts
        taken once per site, each site's template re-decided once, and the articles whose
        template changed re-cleaned (the new ones from what the batch holds).

        The result is `learn`'s row by row: the template an article ends with depends only on
        the final counts. `overrides(site)` gives a site's rules.
        """
        new_ids = {n.article_id for n in new}
        stale: dict[int, set[str]] = {}  # blocks left by a deleted article whose id was reused
        for article_id, key in self.conn.execute(
                "SELECT article_id, key FROM article_blocks WHERE article_id BETWEEN ? AND ?",
                (min(new_ids), max(new_ids))):
            if article_id in new_ids:
                stale.setdefault(article_id, set()).add(key)
        # (site, key) -> [change in its count, the lines of its first two new articles here]
        counts: dict[tuple[str, str], list] = {}
        added: list[tuple[int, str, str]] = []
        gone: list[tuple[int, str]] = []
        for n in new:
            old = stale.get(n.article_id, set())
            for key in old - n.blocks.keys():
                gone.append((n.article_id, key))
                counts.setdefault((n.site, key), [0])[0] -= 1
            for key, line in n.blocks.items():
                if key not in old:
                    added.append((n.article_id, n.site, key))
                    count = counts.setdefault((n.site, key), [0])
                    count[0] += 1
                    if len(count) < 3:
                        count.append(line)
        self.conn.executemany("DELETE FROM article_blocks WHERE article_id = ? AND key = ?", gone)
        self.conn.executemany(
            "INSERT INTO article_blocks (article_id, site, key) VALUES (?, ?, ?)", added)
        sites = list(dict.fromkeys(n.site for n in new))
        rows: list[BlockCount] = []
        for site in sites:
            now = self.count_blocks(site, [k for s, k in counts if s == site])
            for key, total in now.items():
                change, *lines = counts[site, key]
                before = total - change
                if template.recurs(total) or template.recurs(before):
                    rows.append((site, key, template.second_line(before, lines), total))
            rows += [(s, k, None, 0) for (s, k), (change, *_) in counts.items()
                     if s == site and k not in now and change < 0]
        self.write_block_counts(rows)
        recleaned: list[tuple[str, int, str | None, int]] = []
        for site in sites:
            changed = self.retemplate(site)
            if not changed:
                continue
            keys = self.template_keys(site)
            rules = overrides(site)
            for n in new:
                if n.site != site:
                    continue
                out = template.reclean(n.raw, n.blocks.keys(), keys, n.cleaned_by, n.text, rules)
                if out is not None:
                    recleaned.append((out.text, out.word_count, out.raw_text, n.article_id))
            for article_id in sorted(self.having(site, changed) - new_ids):
                self.clean(article_id, rules)
        self.set_texts(recleaned)

    def reclean(self, site: str | None = None,
                overrides: dict[str, boilerplate.Overrides] | None = None,
                progress: Progress | None = None) -> dict[str, int]:
        """Relearn each site's template from the stored raw texts and re-clean every article.

        No refetch: the pre-cleaning text is in `raw_text`. `overrides` replace a site's
        remembered keep/drop rules. Returns, per site, how many articles' text changed.
        `progress(0.5)` is called as each article is read for the template and as it is
        cleaned (one per article in all).
        """
        sites = [site] if site else [s for (s,) in self.conn.execute(
            "SELECT DISTINCT site FROM articles ORDER BY site")]
        changed: dict[str, int] = {}
        with self.core.writing("re-clean articles"):
            for name in sites:
                if overrides and name in overrides:
                    self.rules.set_overrides(name, overrides[name])
                changed[name] = self._relearn(name, progress)
        return changed

    def _relearn(self, site: str, progress: Progress | None = None) -> int:
        self.conn.execute("DELETE FROM article_blocks WHERE site = ?", (site,))
        self.conn.execute("DELETE FROM site_blocks WHERE site = ?", (site,))
        rows = self.conn.execute("SELECT id, coalesce(raw_text, text) FROM articles "
                                 "WHERE site = ? ORDER BY id", (site,)).fetchall()

        def blocks_of_each() -> Iterable[dict[str, str]]:
            for article_id, raw in rows:
                if progress is not None:
                    progress(0.5)
                found = boilerplate.blocks(raw)
                self.conn.executemany(
                    "INSERT INTO article_blocks (article_id, site, key) VALUES (?, ?, ?)",
                    [(article_id, site, k) for k in found])
                yield found

        counts = template.site_block_counts(blocks_of_each())
        self.write_block_counts([(site, k, line, n) for k, (line, n) in counts.items()])
        self.retemplate(site)
        overrides = self.rules.overrides(site)
        changed = 0
        for article_id, _ in rows:
            changed += self.clean(article_id, overrides)
            if progress is not None:
                progress(0.5)
        return changed

    def template_blocks(self, site: str, *, min_articles: int = 2) -> list[dict[str, Any]]:
        """The site's recurring blocks, most frequent first: text, articles, and whether the
        archive removes them (learned template or a drop rule, unless a keep rule saves it)."""
        overrides = self.rules.overrides(site)
        rows = self.conn.execute(
            "SELECT text, articles, template FROM site_blocks "
            "WHERE site = ? AND template IN (0, 1) AND articles >= ? "
            "ORDER BY articles DESC, text", (site, min_articles)).fetchall()
        out = []
        for text, articles, flag in rows:
            keep, drop = overrides.keeps(text), overrides.drops(text)
            out.append({"text": text, "articles": articles, "template": bool(flag),
                        "removed": not keep and (bool(flag) or drop),
                        "rule": "keep" if keep else "drop" if drop else None})
        return out
