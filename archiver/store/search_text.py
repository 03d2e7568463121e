"""Language-aware search text: what the full-text index holds, and what a query becomes.

The archive stays one plain SQLite file (no tokenizer extension to load), so the language work
happens here, in Python, when an article is written and when a query is run:

- **Stemmed languages** (the Snowball stemmers of PyStemmer: German, French, Spanish, Russian,
  Arabic, ...): each word of an article in that language is indexed as its stem, one stem per
  word, so the index keeps SQLite's own word positions and FTS5's `snippet()` highlights the
  original words in the original text.
- **Unspaced scripts** (Chinese, Japanese, Korean, Thai, Lao, Khmer, Myanmar): each run of
  their letters is indexed as overlapping character bigrams (as Lucene's CJK analyzer does),
  whatever the article's language, and a query word of two or more letters becomes the phrase
  of its bigrams: `经济增长` is `"经济 济增 增长"`.
- **English** and languages without a stemmer are indexed as written: the FTS5 tokenizer
  (`porter unicode61 remove_diacritics 2`) stems English as it always has, and folds case and
  diacritics for every language.

A query is rewritten term by term (`to_match`): each word becomes the OR of its forms under
the stemmers of the languages the archive holds, and FTS5's syntax (phrases, prefixes,
AND/OR/NOT, NEAR, column filters) is kept around it.

The work is in `search_forms` (what the index holds for a text), `search_query` (what a
query becomes) and `search_snippets`; this module is their public face, what the rest of the
archiver and a plain-SQL user's Python import.
"""

from archiver.store.search_forms import (
    ANALYZER_VERSION,
    FORM_COLUMNS,
    STEMMED_LANGUAGES,
    forms,
    has_unspaced,
    index_form,
    key_for,
    search_keys,
)
from archiver.store.search_query import is_valid, to_match, to_match_lenient
from archiver.store.search_snippets import snippet

__all__ = ["ANALYZER_VERSION", "FORM_COLUMNS", "STEMMED_LANGUAGES", "forms", "has_unspaced",
           "index_form", "is_valid", "key_for", "search_keys", "snippet", "to_match",
           "to_match_lenient"]
