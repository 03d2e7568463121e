"""What the full-text index holds for an article's text: its language-aware index forms.

Stems for the languages PyStemmer has a Snowball stemmer for, overlapping bigrams for the
scripts written without spaces, the text as written otherwise (archiver/store/search_text.py
says why). `search_index` writes these forms into `search_forms`; `search_query` rewrites a
query into the same forms.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable

import Stemmer

#: Bumped when what the index holds for a text changes (search_forms rows are then rewritten).
ANALYZER_VERSION = f"1/pystemmer-{getattr(Stemmer, '__version__', '?')}"

#: ISO 639-1 code -> Snowball algorithm. English is left to FTS5's Porter stemmer.
_SNOWBALL = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech",
    "da": "danish", "nl": "dutch", "eo": "esperanto", "et": "estonian", "fi": "finnish",
    "fr": "french", "de": "german", "el": "greek", "hi": "hindi", "hu": "hungarian",
    "id": "indonesian", "ga": "irish", "it": "italian", "lt": "lithuanian", "ne": "nepali",
    "no": "norwegian", "nb": "norwegian", "nn": "norwegian", "fa": "persian", "pl": "polish",
    "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian", "st": "sesotho",
    "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}
_AVAILABLE = set(Stemmer.algorithms())
STEMMED_LANGUAGES = {code: algo for code, algo in _SNOWBALL.items() if algo in _AVAILABLE}

#: Letters of the scripts written without spaces between words (bigrammed).
_UNSPACED_CLASS = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1100-\u11ff"  # Hangul Jamo
    "\u1780-\u17ff"  # Khmer
    "\u3005-\u3007"  # 々 〆 〇
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3130-\u318f"  # Hangul compatibility Jamo
    "\u31f0-\u31ff"  # Katakana phonetic extensions
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # CJK ideographs
    "\uac00-\ud7af"  # Hangul syllables
    "\uff66-\uff9f"  # halfwidth Katakana
    "\U00020000-\U0003134f"  # CJK ideographs, extensions B-G
)
UNSPACED = re.compile(f"[{_UNSPACED_CLASS}]")
UNSPACED_RUN = re.compile(f"[{_UNSPACED_CLASS}]+")
#: A token as FTS5's unicode61 tokenizer splits text: letters, digits and the combining
#: diacritics it folds (U+0300-U+036F); everything else separates tokens.
TOKEN = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_WORDISH = re.compile(r"[\w\u0300-\u036f]+")  # TOKEN's runs with "_" kept: 2-3x faster


def _tokens(text: str) -> list[str]:
    """`TOKEN.findall(text)`, faster."""
    found = _WORDISH.findall(text)
    if "_" in text:
        found = [part for token in found for part in token.split("_") if part]
    return found

_local = threading.local()  # PyStemmer's stemmers keep a cache: one set per thread


def stemmer(algorithm: str) -> Stemmer.Stemmer:
    stemmers = _local.__dict__.setdefault("stemmers", {})
    if algorithm not in stemmers:
        stemmers[algorithm] = Stemmer.Stemmer(algorithm)
    return stemmers[algorithm]


def key_for(language: str | None) -> str | None:
    """The Snowball algorithm an article in `language` is indexed with (None: as written)."""
    if not language:
        return None
    return STEMMED_LANGUAGES.get(language.strip().lower().split("-")[0][:3])


def has_unspaced(text: str | None) -> bool:
    """Whether `text` has letters of a script written without spaces (CJK, Thai, ...)."""
    return text is not None and UNSPACED.search(text) is not None


def word_form(token: str, key: str | None) -> str:
    if key is None:
        return token
    lowered = token.lower()
    return stemmer(key).stemWord(lowered) or lowered


def _unspaced_terms(run: str) -> list[str]:
    """Overlapping bigrams of a run of unspaced letters (the letter itself when alone)."""
    if len(run) < 2:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def token_terms(token: str, key: str | None) -> list[str]:
    """The index terms of one unicode61 token: one stem, or bigrams for its unspaced runs."""
    if not has_unspaced(token):
        return [word_form(token, key)]
    terms: list[str] = []
    at = 0
    for run in UNSPACED_RUN.finditer(token):
        if run.start() > at:
            terms.append(word_form(token[at:run.start()], key))
        terms.extend(_unspaced_terms(run.group()))
        at = run.end()
    if at < len(token):
        terms.append(word_form(token[at:], key))
    return terms


def index_form(value: str | None, language: str | None) -> str | None:
    """What the full-text index holds for one column of an article in `language`.

    The value itself when nothing changes (English, no stemmer, no unspaced script). Stemmed
    text keeps one term per word, so FTS5's word positions, and its snippets and highlights
    of the original text, stay right.
    """
    if not value:
        return value
    key = key_for(language)
    unspaced = has_unspaced(value)
    if not unspaced:
        if key is None:
            return value
        # the usual case, stemmed in one call
        tokens = _tokens(value.lower())
        stems = stemmer(key).stemWords(tokens)
        return " ".join(stem or token for stem, token in zip(stems, tokens, strict=True))
    terms: list[str] = []
    for token in _tokens(value):
        terms.extend(token_terms(token, key))
    return " ".join(terms)


#: The indexed columns of `articles`, in the order of `articles_fts`.
FORM_COLUMNS = ("title", "description", "text", "author")


def forms(title: str | None, description: str | None, text: str | None, author: str | None,
          language: str | None) -> tuple[str | None, ...] | None:
    """The index forms of an article's four indexed columns, or None when the index takes
    the columns as written (then no `search_forms` row is kept for it)."""
    values = (title, description, text, author)
    if key_for(language) is None and not any(has_unspaced(v) for v in values):
        return None
    return tuple(index_form(v, language) for v in values)


def search_keys(languages: Iterable[str | None], lang: str | None = None) -> list[str | None]:
    """The stemmers a query is expanded with: `lang`'s alone when given, else those of the
    languages the archive holds (None: the words as written, for English and the rest)."""
    if lang:
        return [key_for(lang)]
    keys: list[str | None] = []
    for language in languages:
        key = key_for(language)
        if key not in keys:
            keys.append(key)
    return sorted(keys, key=lambda k: (k is not None, k or "")) or [None]


def fold(text: str) -> str:
    """Text folded as FTS5's unicode61 folds it: lower case, diacritics dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
