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
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
_UNSPACED = re.compile(f"[{_UNSPACED_CLASS}]")
_UNSPACED_RUN = re.compile(f"[{_UNSPACED_CLASS}]+")
#: A token as FTS5's unicode61 tokenizer splits text: letters, digits and the combining
#: diacritics it folds (U+0300-U+036F); everything else separates tokens.
_TOKEN = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
_WORDISH = re.compile(r"[\w\u0300-\u036f]+")  # _TOKEN's runs with "_" kept: 2-3x faster


def _tokens(text: str) -> list[str]:
    """`_TOKEN.findall(text)`, faster."""
    found = _WORDISH.findall(text)
    if "_" in text:
        found = [part for token in found for part in token.split("_") if part]
    return found

_local = threading.local()  # PyStemmer's stemmers keep a cache: one set per thread


def _stemmer(algorithm: str) -> Stemmer.Stemmer:
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
    return bool(text) and _UNSPACED.search(text) is not None


def _word(token: str, key: str | None) -> str:
    if key is None:
        return token
    lowered = token.lower()
    return _stemmer(key).stemWord(lowered) or lowered


def _unspaced_terms(run: str) -> list[str]:
    """Overlapping bigrams of a run of unspaced letters (the letter itself when alone)."""
    if len(run) < 2:
        return [run]
    return [run[i:i + 2] for i in range(len(run) - 1)]


def _token_terms(token: str, key: str | None) -> list[str]:
    """The index terms of one unicode61 token: one stem, or bigrams for its unspaced runs."""
    if not has_unspaced(token):
        return [_word(token, key)]
    terms: list[str] = []
    at = 0
    for run in _UNSPACED_RUN.finditer(token):
        if run.start() > at:
            terms.append(_word(token[at:run.start()], key))
        terms.extend(_unspaced_terms(run.group()))
        at = run.end()
    if at < len(token):
        terms.append(_word(token[at:], key))
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
    if key is None and not unspaced:
        return value
    if not unspaced:  # the usual case, stemmed in one call
        tokens = _tokens(value.lower())
        stems = _stemmer(key).stemWords(tokens)
        return " ".join(stem or token for stem, token in zip(stems, tokens, strict=True))
    terms: list[str] = []
    for token in _tokens(value):
        terms.extend(_token_terms(token, key))
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


# -- queries ----------------------------------------------------------------------------

_BAREWORD = re.compile(r"[A-Za-z0-9_\x1a\u0080-\U0010ffff]+")
_PUNCT = set("():,{}*+^-")
_OPERATORS = {"AND", "OR", "NOT"}


@dataclass
class _Tok:
    kind: str  # "str" (quoted), "bare", "punct", "other" (FTS5 reports it as an error)
    text: str


def _lex(query: str) -> list[_Tok]:
    query = query.split("\x00", 1)[0]  # FTS5 reads a query up to its first NUL
    out: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c in " \t\n\r":  # FTS5's spaces; other spaces are bareword characters
            i += 1
        elif c == '"':
            j, buf = i + 1, []
            while j < n:
                if query[j] == '"':
                    if j + 1 < n and query[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(query[j])
                j += 1
            if j >= n:  # unterminated: let FTS5 say so
                out.append(_Tok("other", query[i:]))
                break
            out.append(_Tok("str", "".join(buf)))
            i = j + 1
        elif c in _PUNCT:
            out.append(_Tok("punct", c))
            i += 1
        else:
            m = _BAREWORD.match(query, i)
            if m is None:
                out.append(_Tok("other", c))
                i += 1
            else:
                # FTS5 takes non-ASCII spaces into barewords; here they separate words
                word = m.group()
                pieces = word.split()
                if len(pieces) == 1 and not word[0].isspace():
                    out.append(_Tok("bare", word))
                else:  # words, never operators or column names (all spaces: FTS5's empty
                    # phrase)
                    out.extend(_Tok("str", piece) for piece in pieces or [""])
                i += len(word)
    return out


@dataclass
class _Phrase:
    parts: list[str]
    prefix: bool = False
    initial: bool = False
    negated: bool = False
    tokens: list[str] = field(default_factory=list)


def _quote(terms: Sequence[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in terms) + '"'


def _phrase_variants(phrase: _Phrase, keys: Sequence[str | None]) -> list[str]:
    tokens = _TOKEN.findall(" ".join(phrase.parts))
    phrase.tokens = tokens
    if not tokens:
        return [_quote([" ".join(phrase.parts)])]
    variants: list[str] = []
    seen: set[str] = set()
    for key in keys:
        candidates = [False, True] if phrase.prefix and key is not None else [False]
        for stem_last in candidates:
            terms: list[str] = []
            star = False
            for j, token in enumerate(tokens):
                last = j == len(tokens) - 1
                if has_unspaced(token):
                    token_terms = _token_terms(token, key)
                    terms.extend(token_terms)
                    # one letter alone: any bigram it starts
                    star = last and len(token_terms[-1]) == 1 and \
                        _UNSPACED.match(token_terms[-1]) is not None
                elif last and phrase.prefix:
                    terms.append(_word(token, key) if stem_last else token.lower())
                    star = True
                else:
                    terms.append(_word(token, key))
            variant = ("^" if phrase.initial else "") + _quote(terms) + ("*" if star else "")
            if _fold(variant) not in seen:  # FTS5 folds case and diacritics itself
                seen.add(_fold(variant))
                variants.append(variant)
    return variants


class _Unparsable(Exception):
    """The query is not FTS5 syntax (FTS5 will say why)."""


class _Rewriter:
    def __init__(self, tokens: list[_Tok], keys: Sequence[str | None]) -> None:
        self.tokens, self.keys, self.i = tokens, keys, 0
        self.phrases: list[_Phrase] = []

    def peek(self, offset: int = 0) -> _Tok | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def is_punct(self, tok: _Tok | None, char: str) -> bool:
        return tok is not None and tok.kind == "punct" and tok.text == char

    def phrase(self, negated: bool) -> _Phrase:
        initial = False
        if self.is_punct(self.peek(), "^"):
            initial = True
            self.i += 1
        parts = [self.tokens[self.i].text]
        self.i += 1
        while self.is_punct(self.peek(), "+") and self.peek(1) is not None \
                and self.peek(1).kind in ("str", "bare"):
            parts.append(self.tokens[self.i + 1].text)
            self.i += 2
        prefix = False
        if self.is_punct(self.peek(), "*"):
            prefix = True
            self.i += 1
        found = _Phrase(parts, prefix=prefix, initial=initial, negated=negated)
        self.phrases.append(found)
        return found

    def starts_phrase(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        if self.is_punct(tok, "^"):
            nxt = self.peek(1)
            return nxt is not None and nxt.kind in ("str", "bare")
        return tok.kind == "str" or (tok.kind == "bare" and tok.text not in _OPERATORS
                                     and not self.is_punct(self.peek(1), ":")
                                     and not (tok.text == "NEAR"
                                              and self.is_punct(self.peek(1), "(")))

    def near(self, negated: bool) -> str | None:
        """NEAR(p1 p2 ..., N) as the OR of one NEAR group per stemmer."""
        start = self.i
        self.i += 2  # NEAR (
        phrases: list[_Phrase] = []
        distance = ""
        while self.starts_phrase():
            phrases.append(self.phrase(negated))
        if self.is_punct(self.peek(), ","):
            tok = self.peek(1)
            if tok is None or tok.kind != "bare":
                self.i = start
                return None
            distance = f", {tok.text}"
            self.i += 2
        if not phrases or not self.is_punct(self.peek(), ")"):
            self.i = start
            return None
        self.i += 1
        groups: list[str] = []
        for key in self.keys:
            inner = " ".join(_phrase_variants(p, [key])[0] for p in phrases)
            group = f"NEAR({inner}{distance})"
            if _fold(group) not in {_fold(g) for g in groups}:
                groups.append(group)
        return groups[0] if len(groups) == 1 else "(" + " OR ".join(groups) + ")"

    def rewrite(self) -> str:
        """The rewritten query: parsed as FTS5 does, so that a word that becomes a group of
        forms keeps the precedence its place gave it; what FTS5 would refuse, token by token
        (FTS5 then reports it)."""
        try:
            out = self.expr(False)
            if self.i == len(self.tokens):
                return out or '""'
        except _Unparsable:
            pass
        self.i, self.phrases = 0, []
        return self.flat() or '""'

    # expr := and (OR and)* ; and := not (AND not)* ; not := seq (NOT seq)* ;
    # seq := primary+ (implicit AND, binding tightest) ; primary := [-] colspec : primary
    #        | ( expr ) | NEAR(phrase+ [, N]) | phrase

    def bare(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "bare" and tok.text == word

    def expr(self, negated: bool) -> str:
        parts = [self.and_(negated)]
        while self.bare("OR"):
            self.i += 1
            parts.append(self.and_(negated))
        return " OR ".join(parts)

    def and_(self, negated: bool) -> str:
        parts = [self.not_(negated)]
        while self.bare("AND"):
            self.i += 1
            parts.append(self.not_(negated))
        return " AND ".join(parts)

    def not_(self, negated: bool) -> str:
        parts = [self.seq(negated)]
        while self.bare("NOT"):
            self.i += 1
            parts.append(self.seq(True))
        return " NOT ".join(parts)

    def seq(self, negated: bool) -> str:
        items: list[tuple[str, bool]] = []
        while self.starts_primary():
            items.append(self.primary(negated))
        if not items:
            raise _Unparsable
        if len(items) == 1:
            return items[0][0]
        if all(simple for _, simple in items):
            return " ".join(text for text, _ in items)
        return "(" + " AND ".join(text for text, _ in items) + ")"

    def starts_primary(self) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        if self.is_punct(tok, "(") or self.is_punct(tok, "{") or self.is_punct(tok, "-"):
            return True
        if tok.kind == "bare" and (self.is_punct(self.peek(1), ":") or (
                tok.text == "NEAR" and self.is_punct(self.peek(1), "("))):
            return True
        return self.starts_phrase()

    def colspec(self) -> str:
        tok = self.peek()
        if self.is_punct(tok, "{"):
            names = []
            self.i += 1
            while self.peek() is not None and self.peek().kind == "bare":
                names.append(self.peek().text)
                self.i += 1
            if not names or not self.is_punct(self.peek(), "}"):
                raise _Unparsable
            self.i += 1
            spec = "{" + " ".join(names) + "}"
        elif tok is not None and tok.kind == "bare":
            spec = tok.text
            self.i += 1
        else:
            raise _Unparsable
        if not self.is_punct(self.peek(), ":"):
            raise _Unparsable
        self.i += 1
        return spec

    def primary(self, negated: bool) -> tuple[str, bool]:
        """One operand, and whether it is a single phrase (safe to juxtapose)."""
        tok = self.peek()
        if tok is None:
            raise _Unparsable
        if self.is_punct(tok, "-") or self.is_punct(tok, "{") or (
                tok.kind == "bare" and self.is_punct(self.peek(1), ":")):
            minus = ""
            if self.is_punct(tok, "-"):
                minus = "- "
                self.i += 1
            spec = self.colspec()
            inner, _ = self.primary(negated)
            return f"{minus}{spec} : {inner}", False
        if self.is_punct(tok, "("):
            self.i += 1
            inner = self.expr(negated)
            if not self.is_punct(self.peek(), ")"):
                raise _Unparsable
            self.i += 1
            return f"({inner})", False
        if tok.kind == "bare" and tok.text == "NEAR" and self.is_punct(self.peek(1), "("):
            group = self.near(negated)
            if group is None:
                raise _Unparsable
            return group, False
        if self.starts_phrase():
            variants = _phrase_variants(self.phrase(negated), self.keys)
            if len(variants) == 1:
                return variants[0], True
            return "(" + " OR ".join(variants) + ")", False
        raise _Unparsable

    def flat(self) -> str:
        out: list[str] = []
        negated = False
        while self.i < len(self.tokens):
            tok = self.tokens[self.i]
            if tok.kind == "bare" and tok.text in _OPERATORS:
                out.append(tok.text)
                negated = tok.text == "NOT"
                self.i += 1
                continue
            if tok.kind == "bare" and tok.text == "NEAR" and self.is_punct(self.peek(1), "("):
                group = self.near(negated)
                if group is not None:
                    out.append(group)
                    negated = False
                    continue
            if tok.kind == "bare" and self.is_punct(self.peek(1), ":"):
                out.append(f"{tok.text} :")  # a column filter
                self.i += 2
                continue
            if self.is_punct(tok, "{"):
                end = self.i
                while end < len(self.tokens) and not self.is_punct(self.tokens[end], "}"):
                    end += 1
                out.append("{" + " ".join(t.text for t in self.tokens[self.i + 1:end]) + "}")
                self.i = end + 1
                continue
            if self.starts_phrase():
                variants = _phrase_variants(self.phrase(negated), self.keys)
                out.append(variants[0] if len(variants) == 1
                           else "(" + " OR ".join(variants) + ")")
                negated = False
                continue
            out.append(tok.text)  # ( ) - : and what FTS5 will report as a syntax error
            if not self.is_punct(tok, "("):
                negated = negated and self.is_punct(tok, "-")
            self.i += 1
        return " ".join(out)


def to_match(query: str, keys: Sequence[str | None] = (None,)) -> str:
    """The FTS5 MATCH expression for a user's query, with each word in the forms the index
    holds under each of `keys` (see `search_keys`). FTS5's syntax is kept as it is; what FTS5
    cannot parse stays in place for FTS5 to report."""
    return _Rewriter(_lex(query), list(keys) or [None]).rewrite()


_checker = threading.local()


def is_valid(match: str) -> bool:
    """Whether FTS5 parses `match` against the archive's columns (on an empty in-memory
    table, so nothing of the archive is read)."""
    conn = getattr(_checker, "conn", None)
    if conn is None:
        import sqlite3

        conn = sqlite3.connect(":memory:", check_same_thread=False)
        conn.execute("CREATE VIRTUAL TABLE t USING fts5(title, description, text, author)")
        _checker.conn = conn
    try:
        conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (match,)).fetchone()
    except Exception:  # noqa: BLE001 - sqlite3.OperationalError: any parse error
        return False
    return True


def to_match_lenient(query: str, keys: Sequence[str | None] = (None,)) -> str:
    """`to_match` for a search box: when FTS5 cannot parse the query, its words searched as
    words (all of them) instead of an error, as Datasette's own `escape_fts` does."""
    match = to_match(query, keys)
    if is_valid(match):
        return match
    words = _TOKEN.findall(query)
    return to_match(" ".join(_quote([w]) for w in words), keys) if words else '""'


# -- snippets for the texts whose index positions are not SQLite's ----------------------

def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _norm(form: str) -> str:
    """A term as FTS5 ends up comparing it: folded, then Porter-stemmed."""
    return _stemmer("porter").stemWord(_fold(form))


@dataclass
class _Matcher:
    words: set[str]
    prefixes: set[str]
    runs: list[str]


def _matcher(query: str, key: str | None) -> _Matcher:
    rewriter = _Rewriter(_lex(query), [key])
    rewriter.rewrite()
    words: set[str] = set()
    prefixes: set[str] = set()
    runs: list[str] = []
    for phrase in rewriter.phrases:
        if phrase.negated:
            continue
        for j, token in enumerate(phrase.tokens):
            if has_unspaced(token):
                runs.extend(r.group() for r in _UNSPACED_RUN.finditer(token))
                rest = _UNSPACED_RUN.sub(" ", token).split()
                words.update(_norm(_word(w, key)) for w in rest)
            elif phrase.prefix and j == len(phrase.tokens) - 1:
                prefixes.add(_fold(token))
                prefixes.add(_fold(_word(token, key)))
            else:
                words.add(_norm(_word(token, key)))
    return _Matcher(words, prefixes, sorted(set(runs), key=len, reverse=True))


def snippet(text: str | None, language: str | None, query: str, *, start_mark: str = "[",
            end_mark: str = "]", ellipsis: str = "…", width: int = 100) -> str:
    """A passage of `text` around the first words `query` matches, those words marked.

    For texts with unspaced scripts, where the index's positions (bigrams) are not the ones
    FTS5's `snippet()` counts in the original text: the words are found here in the original
    text, under the article's own stemmer, and the original text is shown.
    """
    if not text:
        return ""
    key = key_for(language)
    found = _matcher(query, key)
    spans: list[tuple[int, int]] = []
    for run in found.runs:
        spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(run), text))
    for m in _TOKEN.finditer(text):
        token = m.group()
        if has_unspaced(token):
            continue
        form = _word(token, key)
        if _norm(form) in found.words or any(
                _fold(form).startswith(p) or _fold(token).startswith(p)
                for p in found.prefixes):
            spans.append((m.start(), m.end()))
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    first = merged[0][0] if merged else 0
    start = max(0, first - width // 4)
    if start and not has_unspaced(text[start:first]):
        space = text.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 and first - space < width // 2 else start
    end = min(len(text), start + width)
    if end < len(text) and not has_unspaced(text[end - 1:end + 1]):
        space = text.find(" ", end)
        end = space if 0 <= space < end + 20 else end
    out: list[str] = [ellipsis] if start > 0 else []
    at = start
    for s, e in merged:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(text[at:s])
        out.append(start_mark + text[s:e] + end_mark)
        at = e
    out.append(text[at:end])
    if end < len(text):
        out.append(ellipsis)
    return "".join(out)
