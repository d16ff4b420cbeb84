"""Syntax tree -> parameterised SQL over the PostgreSQL index of `schema.py`.

Nothing from the user is ever spliced into SQL text: values travel as bound
parameters, and text terms become tsquery strings built here from words that hold
only letters and digits, each one quoted as a lexeme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...query import And, FieldFilter, Not, Or, Query, RangeFilter, TextTerm
from ...urls import canonical_url
from ..sqlite.schema import bare_domain
from .text import has_cjk, words

# The tsvector and weight label a text field searches: the weights of `words` are
# A title, B topics and provider, C excerpt, D body; related items have their own vector.
_SCOPES: dict[str | None, tuple[str, str]] = {
    None: ("s.words", ""),
    "title": ("s.words", "A"),
    "excerpt": ("s.words", "C"),
    "body": ("s.words", "D"),
    "related": ("s.related", ""),
}
# ts_rank weights in its order {D, C, B, A}: title over topics over excerpt over body.
RANK_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"
_LABEL_FIELDS = {"topic": "topic", "category": "category", "tag": "tag"}
_PLAIN_COLUMNS = {"type": "a.type", "locale": "a.locale", "domain": "a.provider_domain"}
_HAS_CONDITIONS = {
    "images": "a.has_images = 1",
    "related": "a.has_related = 1",
    "body": "a.has_body = 1",
    "secured": "a.has_secured = 1",
    "date": "a.published IS NOT NULL",
}
# The orders of the SQLite backend: undated (or unscored) articles last; names compared
# as SQLite's NOCASE does (ASCII folded, then bytes), which `lower` under "C" is; ties
# by path (in code point order, as "C" compares) and then the place in the file.
_TIES = 'a.path COLLATE "C", a.position NULLS FIRST, a.rowid'
_ORDER = {
    "date": f"a.published DESC NULLS LAST, {_TIES}",
    "date-asc": f"a.published ASC NULLS LAST, {_TIES}",
    "heat": f"a.heat DESC NULLS LAST, a.published DESC NULLS LAST, {_TIES}",
    "quality": f"a.quality DESC NULLS LAST, a.published DESC NULLS LAST, {_TIES}",
    "title": f'lower(a.title COLLATE "C"), a.published DESC NULLS LAST, {_TIES}',
    "provider": f'a.provider_name IS NULL, lower(a.provider_name COLLATE "C"), '
                f"a.published DESC NULLS LAST, {_TIES}",
}


@dataclass
class CompiledQuery:
    """A WHERE clause with its parameters, and the tsqueries that rank and highlight."""

    where: str
    parameters: list[Any] = field(default_factory=list)
    # The positive text terms ORed, as a `simple` tsquery and an `english` one (stems):
    # ranking and snippets; None without text.
    any_words: str | None = None
    any_stems: str | None = None
    sort: str = "date"
    text: bool = False

    def source(self) -> str:
        return "articles a JOIN search s ON s.rowid = a.rowid" if self.text else "articles a"

    def order(self) -> tuple[str, list[Any]]:
        """The ORDER BY clause and its parameters."""
        if self.sort == "relevance" and self.any_words:
            # Exact forms first (as in the SQLite backend), then the weighted ranks.
            return (
                "(s.words @@ %s::tsquery OR s.related @@ %s::tsquery) DESC, "
                f"ts_rank('{RANK_WEIGHTS}', s.words, %s::tsquery, 1) "
                f"+ 0.5 * ts_rank('{RANK_WEIGHTS}', s.stems, to_tsquery('english', %s), 1) "
                "+ 0.05 * ts_rank(s.related, %s::tsquery, 1) DESC, "
                f"a.published DESC NULLS LAST, {_TIES}",
                [self.any_words, self.any_words, self.any_words, self.any_stems or "", self.any_words],
            )
        return _ORDER.get(self.sort, _ORDER["date"]), []


def compile_query(query: Query) -> CompiledQuery:
    """The SQL for a parsed query; sort defaults to relevance with text, else date."""
    sort = query.sort or ("relevance" if query.text else "date")
    compiler = _Compiler()
    where = compiler.node(query.root) if query.root is not None else "true"
    positive = [term for term in compiler.positive_terms if lexemes(term)]
    any_words = " | ".join(f"({words_tsquery(term, weighted=False)})" for term in positive) or None
    stems = [stems_tsquery(term, weighted=False) or words_tsquery(term, weighted=False) for term in positive]
    any_stems = " | ".join(f"({text})" for text in stems) or None
    if any_words is None and sort == "relevance":
        sort = "date"
    return CompiledQuery(where, compiler.parameters, any_words, any_stems, sort, compiler.has_text)


def lexemes(term: TextTerm) -> list[str]:
    return [token for word in term.words for token in words(word)]


def words_tsquery(term: TextTerm, *, weighted: bool = True) -> str:
    """The `simple` tsquery of a term: its words as a phrase, the last one a prefix
    when the term is, restricted to the field's weight. Every lexeme is quoted, and
    holds only letters and digits."""
    weight = _SCOPES[term.field][1] if weighted else ""
    tokens = lexemes(term)
    parts = [f"'{token}'" + (f":{weight}" if weight else "") for token in tokens]
    if term.prefix:
        parts[-1] = f"'{tokens[-1]}':*{weight}"
    return " <-> ".join(parts)


def stems_tsquery(term: TextTerm, *, weighted: bool = True) -> str | None:
    """The `english` tsquery text (stemmed by the server) of a term, or None for a
    prefix (stemmed, `sense*` would be `sens*` and find `sensor`) and for scripts without
    spaces: words and phrases match their stemmed forms, as in the SQLite backend."""
    tokens = lexemes(term)
    if not tokens or term.prefix or any(has_cjk(token) for token in tokens):
        return None
    weight = _SCOPES[term.field][1] if weighted else ""
    return " <-> ".join(f"'{token}'" + (f":{weight}" if weight else "") for token in tokens)


class _Compiler:
    def __init__(self) -> None:
        self.parameters: list[Any] = []
        self.positive_terms: list[TextTerm] = []
        self.has_text = False
        self._negated = 0

    def node(self, node: Any) -> str:
        if isinstance(node, And):
            return "(" + " AND ".join(self.node(child) for child in node.children) + ")"
        if isinstance(node, Or):
            return "(" + " OR ".join(self.node(child) for child in node.children) + ")"
        if isinstance(node, Not):
            self._negated += 1
            inner = self.node(node.child)
            self._negated -= 1
            # NULL-safe: an article without the field is not excluded by its negation.
            return f"NOT coalesce({inner}, false)"
        if isinstance(node, TextTerm):
            return self.text(node)
        if isinstance(node, FieldFilter):
            return self.field(node)
        if isinstance(node, RangeFilter):
            return self.range(node)
        raise TypeError(f"unknown query node {node!r}")

    def text(self, term: TextTerm) -> str:
        tokens = lexemes(term)
        if not tokens:  # only punctuation: matches nothing, like a search engine
            return "false"
        self.has_text = True
        if not self._negated:
            self.positive_terms.append(term)
        vector, _ = _SCOPES[term.field]
        parts = [f"{vector} @@ %s::tsquery"]
        self.parameters.append(words_tsquery(term))
        if term.field is None:
            parts.append("s.related @@ %s::tsquery")
            self.parameters.append(words_tsquery(term))
        stems = stems_tsquery(term)
        if stems is not None and term.field != "related":
            parts.append("s.stems @@ to_tsquery('english', %s)")
            self.parameters.append(stems)
        if stems is not None and term.field in (None, "related"):
            parts.append("s.related_stems @@ to_tsquery('english', %s)")
            self.parameters.append(stems_tsquery(term, weighted=False))
        if term.field is None and any(has_cjk(token) for token in tokens):
            # Words of scripts without spaces are runs of characters: a substring
            # search (pg_trgm), as a reader of Chinese would expect.
            parts.append("s.cjk LIKE %s")
            self.parameters.append("%" + _like_literal(" ".join(tokens)) + "%")
        return "(" + " OR ".join(parts) + ")"

    def field(self, node: FieldFilter) -> str:
        values = list(node.values)
        name = node.field
        if name == "provider":
            names = [value.lower() for value in values]
            domains = [bare_domain(value) for value in values]
            self.parameters += [names, domains]
            return "(lower(a.provider_name) = ANY(%s) OR lower(a.provider_domain) = ANY(%s))"
        if name == "domain":
            values = [bare_domain(value) for value in values]
        if name in _PLAIN_COLUMNS:
            self.parameters.append([value.lower() for value in values])
            return f"lower({_PLAIN_COLUMNS[name]}) = ANY(%s)"
        if name in _LABEL_FIELDS:
            self.parameters += [_LABEL_FIELDS[name], [value.lower() for value in values]]
            return "a.rowid IN (SELECT article FROM labels WHERE kind = %s AND lower(value) = ANY(%s))"
        if name == "url":
            self.parameters.append([canonical_url(value) or value for value in values])
            return "a.rowid IN (SELECT article FROM urls WHERE canonical = ANY(%s))"
        if name == "id":
            self.parameters.append([_like_literal(value.lower()) + "%" for value in values])
            return "a.id LIKE ANY(%s)"
        if name == "path":
            self.parameters.append([pattern for value in values for pattern in _path_patterns(value)])
            return "a.path ~ ANY(%s)"
        if name == "published":
            return "(" + " OR ".join(
                "a.is_published = 1" if value == "yes" else "a.is_published = 0" for value in values
            ) + ")"
        if name == "has":
            return "(" + " OR ".join(_HAS_CONDITIONS[value] for value in values) + ")"
        raise TypeError(f"unknown field {name!r}")

    def range(self, node: RangeFilter) -> str:
        column = {"date": "a.published", "quality": "a.quality", "heat": "a.heat"}[node.field]
        parts = []
        if node.low is not None:
            parts.append(f"{column} {'>=' if node.low_inclusive else '>'} %s")
            self.parameters.append(_number(node.low))
        if node.high is not None:
            parts.append(f"{column} {'<=' if node.high_inclusive else '<'} %s")
            self.parameters.append(_number(node.high))
        if not parts:
            return f"{column} IS NOT NULL"
        return "(" + " AND ".join(parts) + ")"


def _number(value: Any) -> Any:
    return int(value.timestamp()) if isinstance(value, datetime) else value


def _like_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def glob_regex(glob: str) -> str:
    """A SQLite GLOB pattern as an anchored regular expression (`*` also crosses `/`)."""
    out = ["^"]
    index = 0
    while index < len(glob):
        character = glob[index]
        if character == "*":
            out.append(".*")
        elif character == "?":
            out.append(".")
        elif character == "[":
            end = glob.find("]", index + 2)
            if end < 0:
                out.append(re.escape(character))
            else:
                inner = glob[index + 1 : end]
                negate = inner.startswith("^")
                inner = inner[1:] if negate else inner
                escaped = "".join("\\" + c if c in "\\^[]" else c for c in inner)
                out.append("[" + ("^" if negate else "") + escaped + "]")
                index = end
        else:
            out.append(re.escape(character))
        index += 1
    out.append("$")
    return "".join(out)


def _path_patterns(value: str) -> tuple[str, ...]:
    """A glob matches as written; a plain path also matches everything below it."""
    if any(character in value for character in "*?["):
        return (glob_regex(value),)
    literal = re.escape(value.strip("/"))
    return (f"^{literal}$", f"^{literal}/.*$")
