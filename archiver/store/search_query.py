"""What a user's search becomes: an FTS5 MATCH over the index forms, and snippets.

A query is rewritten term by term (`to_match`): each word becomes the OR of its forms under
the stemmers of the languages the archive holds (`search_forms`), and FTS5's syntax (phrases,
prefixes, AND/OR/NOT, NEAR, column filters) is kept around it. For texts in unspaced scripts,
whose index positions are bigrams, `snippet` finds the query's words in the original text.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from archiver.store.search_forms import (
    TOKEN,
    UNSPACED,
    fold,
    has_unspaced,
    token_terms,
    word_form,
)

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
class Phrase:
    parts: list[str]
    prefix: bool = False
    initial: bool = False
    negated: bool = False
    tokens: list[str] = field(default_factory=list)


def _quote(terms: Sequence[str]) -> str:
    return '"' + " ".join(t.replace('"', '""') for t in terms) + '"'


def _phrase_variants(phrase: Phrase, keys: Sequence[str | None]) -> list[str]:
    tokens = TOKEN.findall(" ".join(phrase.parts))
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
                    pieces = token_terms(token, key)
                    terms.extend(pieces)
                    # one letter alone: any bigram it starts
                    star = last and len(pieces[-1]) == 1 and \
                        UNSPACED.match(pieces[-1]) is not None
                elif last and phrase.prefix:
                    terms.append(word_form(token, key) if stem_last else token.lower())
                    star = True
                else:
                    terms.append(word_form(token, key))
            variant = ("^" if phrase.initial else "") + _quote(terms) + ("*" if star else "")
            if fold(variant) not in seen:  # FTS5 folds case and diacritics itself
                seen.add(fold(variant))
                variants.append(variant)
    return variants


class _Unparsable(Exception):
    """The query is not FTS5 syntax (FTS5 will say why)."""


class _Rewriter:
    def __init__(self, tokens: list[_Tok], keys: Sequence[str | None]) -> None:
        self.tokens, self.keys, self.i = tokens, keys, 0
        self.phrases: list[Phrase] = []

    def peek(self, offset: int = 0) -> _Tok | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def kind_at(self, offset: int = 0) -> str | None:
        """The kind of the token at `offset` from here (None past the end)."""
        tok = self.peek(offset)
        return tok.kind if tok is not None else None

    def is_punct(self, tok: _Tok | None, char: str) -> bool:
        return tok is not None and tok.kind == "punct" and tok.text == char

    def phrase(self, negated: bool) -> Phrase:
        initial = False
        if self.is_punct(self.peek(), "^"):
            initial = True
            self.i += 1
        parts = [self.tokens[self.i].text]
        self.i += 1
        while self.is_punct(self.peek(), "+") and self.kind_at(1) in ("str", "bare"):
            parts.append(self.tokens[self.i + 1].text)
            self.i += 2
        prefix = False
        if self.is_punct(self.peek(), "*"):
            prefix = True
            self.i += 1
        found = Phrase(parts, prefix=prefix, initial=initial, negated=negated)
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
        phrases: list[Phrase] = []
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
            if fold(group) not in {fold(g) for g in groups}:
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

    def chain(self, word: str, operand: Callable[[bool], str], negated: bool,
              right_negated: bool) -> str:
        """`operand (WORD operand)*`, the operands after a WORD read with `right_negated`."""
        parts = [operand(negated)]
        while self.bare(word):
            self.i += 1
            parts.append(operand(right_negated))
        return f" {word} ".join(parts)

    def expr(self, negated: bool) -> str:
        return self.chain("OR", self.and_, negated, negated)

    def and_(self, negated: bool) -> str:
        return self.chain("AND", self.not_, negated, negated)

    def not_(self, negated: bool) -> str:
        return self.chain("NOT", self.seq, negated, True)

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
            while self.kind_at() == "bare":
                names.append(self.tokens[self.i].text)
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
    words = TOKEN.findall(query)
    return to_match(" ".join(_quote([w]) for w in words), keys) if words else '""'


def query_phrases(query: str, key: str | None) -> list[Phrase]:
    """The phrases of a query as `to_match` reads them under one stemmer (their tokens set)."""
    rewriter = _Rewriter(_lex(query), [key])
    rewriter.rewrite()
    return rewriter.phrases
