"""Syntax tree -> parameterised SQL over the index of `schema.py`.

Nothing from the user is ever spliced into SQL text: values travel as parameters,
and text terms become FTS5 strings in which every word is a quoted token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...query import And, FieldFilter, Not, Or, Query, RangeFilter, TextTerm
from ...urls import canonical_url
from .schema import FTS_WEIGHTS, bare_domain

# Column lists for FTS5 column filters, per text field of the query language.
_TEXT_COLUMNS = {
    None: "{title topics excerpt body provider related}",
    "title": "title",
    "excerpt": "excerpt",
    "body": "body",
    "related": "related",
}
_LABEL_FIELDS = {"topic": "topic", "category": "category", "tag": "tag"}
_PLAIN_COLUMNS = {"type": "a.type", "locale": "a.locale", "domain": "a.provider_domain"}
_HAS_CONDITIONS = {
    "images": "a.has_images = 1",
    "related": "a.has_related = 1",
    "body": "a.has_body = 1",
    "secured": "a.has_secured = 1",
    "date": "a.published IS NOT NULL",
}
# Date orders match the articles_newest/articles_oldest indexes exactly, so a page of
# the newest articles is read straight from an index; undated articles come last.
_ORDER = {
    "date": "a.published IS NULL, a.published DESC, a.rowid",
    "date-asc": "a.published IS NULL, a.published, a.rowid",
    "heat": "a.heat IS NULL, a.heat DESC, a.published DESC, a.rowid",
    "quality": "a.quality IS NULL, a.quality DESC, a.published DESC, a.rowid",
    "title": "a.title COLLATE NOCASE, a.published DESC, a.rowid",
    "provider": "a.provider_name IS NULL, a.provider_name COLLATE NOCASE, a.published DESC, a.rowid",
}
_TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass
class CompiledQuery:
    """A WHERE clause with its parameters, and the FTS expression that ranks matches."""

    where: str
    parameters: list[Any] = field(default_factory=list)
    rank_match: str | None = None
    sort: str = "date"
    # True when the text terms were left out of `where` because the join on
    # `rank_match` already requires every one of them (a plain AND of words).
    text_in_join: bool = False

    def order_by(self) -> str:
        if self.sort == "relevance" and self.rank_match:
            return "m.score, a.published DESC, a.rowid"
        return _ORDER.get(self.sort, _ORDER["date"])

    def from_clause(self, *, counting: bool = False) -> tuple[str, list[Any]]:
        """The FROM clause (joined with the ranking subquery when ranking) and its parameters.

        A count needs the join only when it filters (`text_in_join`), and never the scores.
        """
        if self.rank_match and (self.text_in_join or (self.sort == "relevance" and not counting)):
            weights = ", ".join(str(weight) for weight in FTS_WEIGHTS)
            ranking = self.sort == "relevance" and not counting
            score = f", bm25(articles_fts, {weights}) AS score" if ranking else ""
            return (
                f"articles a JOIN (SELECT rowid{score} FROM articles_fts WHERE articles_fts MATCH ?) m "
                "ON m.rowid = a.rowid",
                [self.rank_match],
            )
        return "articles a", []


def compile_query(query: Query) -> CompiledQuery:
    """The SQL for a parsed query; sort defaults to relevance with text, else date."""
    sort = query.sort or ("relevance" if query.text else "date")
    conjunctive = _conjunctive_terms(query.root)
    if conjunctive:
        # The common case (words ANDed with filters): one FTS match both selects and
        # ranks, instead of one match per word in WHERE plus another for ranking.
        compiler = _Compiler(skip_text=True)
        where = compiler.node(query.root)
        every_term = " AND ".join(f"({fts_expression(term)})" for term in conjunctive)
        return CompiledQuery(where, compiler.parameters, every_term, sort, text_in_join=True)
    compiler = _Compiler()
    where = compiler.node(query.root) if query.root is not None else "1"
    any_term: str | None = " OR ".join(f"({fts_expression(term)})" for term in compiler.positive_terms)
    any_term = any_term or None
    if any_term is None and sort == "relevance":
        sort = "date"
    return CompiledQuery(where, compiler.parameters, any_term, sort)


def _conjunctive_terms(root: Any) -> list[TextTerm]:
    """The text terms of a query that is a plain AND of them and filters, else []."""
    children = root.children if isinstance(root, And) else (root,) if root is not None else ()
    terms = [child for child in children if isinstance(child, TextTerm)]
    if not terms or any(fts_expression(term) is None for term in terms):
        return []
    if any(_has_text(child) for child in children if not isinstance(child, TextTerm)):
        return []
    return terms


def _has_text(node: Any) -> bool:
    if isinstance(node, TextTerm):
        return True
    if isinstance(node, Not):
        return _has_text(node.child)
    if isinstance(node, (And, Or)):
        return any(_has_text(child) for child in node.children)
    return False


def fts_expression(term: TextTerm) -> str | None:
    """The FTS5 match expression for one text term, or None when it has no words.

    Each word is split the way the tokenizer splits it (`covid-19` -> `covid 19`)
    and quoted, so FTS5 operators typed by a user stay plain words.
    """
    tokens = [token for word in term.words for token in _TOKEN.findall(word)]
    if not tokens:
        return None
    phrase = '"' + " ".join(tokens) + '"'
    if term.prefix:
        phrase += " *"
    return f"{_TEXT_COLUMNS[term.field]} : {phrase}"


class _Compiler:
    def __init__(self, *, skip_text: bool = False) -> None:
        self.parameters: list[Any] = []
        self.positive_terms: list[TextTerm] = []
        self.skip_text = skip_text
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
            return f"NOT coalesce({inner}, 0)"
        if isinstance(node, TextTerm):
            return self.text(node)
        if isinstance(node, FieldFilter):
            return self.field(node)
        if isinstance(node, RangeFilter):
            return self.range(node)
        raise TypeError(f"unknown query node {node!r}")

    def text(self, term: TextTerm) -> str:
        if self.skip_text:
            return "1"
        expression = fts_expression(term)
        if expression is None:  # only punctuation: matches nothing, like a search engine
            return "0"
        if not self._negated:
            self.positive_terms.append(term)
        self.parameters.append(expression)
        return "a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"

    def field(self, node: FieldFilter) -> str:
        values = list(node.values)
        name = node.field
        if name == "provider":
            domains = [bare_domain(value) for value in values]
            self.parameters += values + domains
            return f"(a.provider_name IN ({_marks(values)}) OR a.provider_domain IN ({_marks(domains)}))"
        if name == "domain":
            values = [bare_domain(value) for value in values]
        if name in _PLAIN_COLUMNS:
            self.parameters += values
            return f"{_PLAIN_COLUMNS[name]} IN ({_marks(values)})"
        if name in _LABEL_FIELDS:
            self.parameters += [_LABEL_FIELDS[name], *values]
            return (f"a.rowid IN (SELECT article FROM labels WHERE kind = ? "
                    f"AND value IN ({_marks(values)}))")
        if name == "url":
            urls = [canonical_url(value) or value for value in values]
            self.parameters += urls
            return f"a.rowid IN (SELECT article FROM urls WHERE canonical IN ({_marks(urls)}))"
        if name == "id":
            return self._any(values, "a.id GLOB ?", lambda value: _glob_literal(value.lower()) + "*")
        if name == "path":
            return self._any(values, "(a.path GLOB ? OR a.path GLOB ?)", _path_patterns)
        if name == "published":
            return "(" + " OR ".join(
                "a.is_published = 1" if value == "yes" else "a.is_published = 0" for value in values
            ) + ")"
        if name == "has":
            return "(" + " OR ".join(_HAS_CONDITIONS[value] for value in values) + ")"
        raise TypeError(f"unknown field {name!r}")

    def _any(self, values: list[str], condition: str, to_parameters: Any) -> str:
        parts = []
        for value in values:
            parameters = to_parameters(value)
            parameters = parameters if isinstance(parameters, tuple) else (parameters,)
            self.parameters += list(parameters)
            parts.append(condition)
        return "(" + " OR ".join(parts) + ")"

    def range(self, node: RangeFilter) -> str:
        column = {"date": "a.published", "quality": "a.quality", "heat": "a.heat"}[node.field]
        parts = []
        if node.low is not None:
            parts.append(f"{column} {'>=' if node.low_inclusive else '>'} ?")
            self.parameters.append(_number(node.low))
        if node.high is not None:
            parts.append(f"{column} {'<=' if node.high_inclusive else '<'} ?")
            self.parameters.append(_number(node.high))
        if not parts:
            return f"{column} IS NOT NULL"
        return "(" + " AND ".join(parts) + ")"


def _number(value: Any) -> Any:
    return int(value.timestamp()) if isinstance(value, datetime) else value


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def _glob_literal(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _path_patterns(value: str) -> tuple[str, str]:
    """A glob matches as written; a plain path also matches everything below it."""
    if any(character in value for character in "*?["):
        return value, value
    literal = _glob_literal(value.strip("/"))
    return literal, literal + "/*"
