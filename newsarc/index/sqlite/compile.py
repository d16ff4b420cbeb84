"""Syntax tree -> parameterised SQL over the index of `schema.py`.

Nothing from the user is ever spliced into SQL text: values travel as parameters,
and text terms become FTS5 strings in which every word is a quoted token.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from ...query import And, FieldFilter, Not, Or, Query, RangeFilter, TextTerm
from ...slotted import FrozenRecord, Record
from ...urls import canonical_url
from . import cjk
from .schema import CJK_TABLE, EXACT_TABLE, FTS_WEIGHTS, STEM_TABLE, bare_domain

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
# Date orders start as the articles_newest/articles_oldest indexes do, so a page of
# the newest articles is read from an index (SQLite sorts only the ties); undated
# articles come last. Ties fall to the path and the place in the file, not the rowid:
# a cold build numbers articles in the order its workers finish, so two builds of
# one archive would list the same ties in different orders.
_TIES = "a.path, a.position, a.rowid"
_ORDER = {
    "date": f"a.published IS NULL, a.published DESC, {_TIES}",
    "date-asc": f"a.published IS NULL, a.published, {_TIES}",
    "heat": f"a.heat IS NULL, a.heat DESC, a.published DESC, {_TIES}",
    "quality": f"a.quality IS NULL, a.quality DESC, a.published DESC, {_TIES}",
    "title": f"a.title COLLATE NOCASE, a.published DESC, {_TIES}",
    "provider": f"a.provider_name IS NULL, a.provider_name COLLATE NOCASE, a.published DESC, {_TIES}",
}
_TOKEN = re.compile(r"\w+", re.UNICODE)
# The sorts by relevance: `relevance` (text, exact forms first, recency) and `text`.
RANKED_SORTS = ("relevance", "text")


class TextMatch(FrozenRecord):
    """One FTS5 match a text term needs: the table, and the expression for its MATCH."""

    __slots__ = ("table", "expression")
    table: str
    expression: str

    def __init__(self, table: str, expression: str) -> None:
        self._init(table, expression)


class CompiledQuery(Record):
    """A WHERE clause with its parameters, and the FTS expression that ranks matches.

    `rank_match` is matched against `rank_table`: the stemmed table when the query has
    plain words, else the exact table (prefix terms only), else the CJK grams.
    """

    __slots__ = ("where", "parameters", "rank_match", "sort", "text_in_join", "rank_table", "cjk_runs")

    def __init__(self, where: str, parameters: list[Any] | None = None, rank_match: str | None = None,
                 sort: str = "date", text_in_join: bool = False, rank_table: str = STEM_TABLE,
                 cjk_runs: tuple[str, ...] = ()) -> None:
        self.where = where
        self.parameters: list[Any] = [] if parameters is None else parameters
        self.rank_match = rank_match
        self.sort = sort
        # True when the text terms of `rank_table` were left out of `where` because the join
        # on `rank_match` already requires every one of them (a plain AND of words).
        self.text_in_join = text_in_join
        self.rank_table = rank_table
        # The spaceless-script runs the query looks for, to be marked in snippets.
        self.cjk_runs = cjk_runs

    @property
    def selects_by_text_alone(self) -> bool:
        """Whether the match of `rank_match` alone selects the articles: joined on it, with
        a WHERE of nothing but the `1`s its text terms compile to (no filter, no other table)."""
        tokens = self.where.replace("(", " ").replace(")", " ").split()
        return self.text_in_join and set(tokens) <= {"1", "AND"} and "1" in tokens

    def bm25(self) -> str:
        """The BM25 score of a row of `rank_table` with the field weights (lower is better)."""
        return f"bm25({self.rank_table}, {', '.join(str(weight) for weight in FTS_WEIGHTS)})"

    @property
    def ranked(self) -> bool:
        """Whether the order is a relevance order (reranked after SQL picks candidates)."""
        return self.sort in RANKED_SORTS and self.rank_match is not None

    def order_by(self) -> str:
        if self.ranked:
            # Unscored rows (matched outside the ranking table) only come with a LEFT JOIN.
            unscored_last = "" if self.text_in_join else "m.score IS NULL, "
            return f"{unscored_last}m.score, a.published DESC, {_TIES}"
        return _ORDER.get(self.sort, _ORDER["date"])

    def from_clause(self, *, counting: bool = False) -> tuple[str, list[Any]]:
        """The FROM clause (joined with the ranking subquery when ranking) and its parameters.

        A count needs the join only when it filters (`text_in_join`), and never the scores.
        """
        ranking = self.ranked and not counting
        if self.rank_match and (self.text_in_join or ranking):
            table = self.rank_table
            score = f", {self.bm25()} AS score" if ranking else ""
            # An OR may match through another table: those articles come last, unscored.
            join = "JOIN" if self.text_in_join else "LEFT JOIN"
            return (
                f"articles a {join} (SELECT rowid{score} FROM {table} WHERE {table} MATCH ?) m "
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
        matches = [match for term in conjunctive for match in text_matches(term) or ()]
        table = _rank_table(matches)
        compiler = _Compiler(skip_text=True)
        where = compiler.node(query.root)
        others = [match for match in matches if match.table != table]
        for match in others:
            compiler.parameters.append(match.expression)
        where = " AND ".join([where, *(_in_table(match.table) for match in others)])
        every_term = " AND ".join(f"({match.expression})" for match in matches if match.table == table)
        return CompiledQuery(where, compiler.parameters, every_term, sort, text_in_join=True,
                             rank_table=table, cjk_runs=_runs(conjunctive))
    compiler = _Compiler()
    where = compiler.node(query.root) if query.root is not None else "1"
    positive = [match for term in compiler.positive_terms for match in text_matches(term) or ()]
    table = _rank_table(positive)
    any_term: str | None = " OR ".join(f"({match.expression})" for match in positive if match.table == table)
    any_term = any_term or None
    if any_term is None and sort in RANKED_SORTS:
        sort = "date"
    return CompiledQuery(where, compiler.parameters, any_term, sort, rank_table=table,
                         cjk_runs=_runs(compiler.positive_terms))


def _runs(terms: list[TextTerm]) -> tuple[str, ...]:
    """Every spaceless-script run of the terms, longest first (marked before its parts)."""
    found = {run for term in terms for word in term.words for run in cjk.runs(word)}
    return tuple(sorted(found, key=lambda run: (-len(run), run)))


def _rank_table(matches: list[TextMatch]) -> str:
    tables = {match.table for match in matches}
    return next((table for table in (STEM_TABLE, EXACT_TABLE, CJK_TABLE) if table in tables), STEM_TABLE)


def _in_table(table: str) -> str:
    return f"a.rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"


def _conjunctive_terms(root: Any) -> list[TextTerm]:
    """The text terms of a query that is a plain AND of them and filters, else []."""
    children = root.children if isinstance(root, And) else (root,) if root is not None else ()
    terms = [child for child in children if isinstance(child, TextTerm)]
    if not terms or any(text_matches(term) is None for term in terms):
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


def text_matches(term: TextTerm) -> list[TextMatch] | None:
    """The FTS5 matches one text term needs (all of them), or None when it has no words.

    Each word is split the way the tokenizer splits it (`covid-19` -> `covid 19`)
    and quoted, so FTS5 operators typed by a user stay plain words. Words go to the
    stemmed table (`investor` finds `investors`, a phrase its stemmed forms); a prefix
    to the exact one (stemmed, `sense*` would be `sens*` and find `sensor`); runs of
    spaceless scripts to the CJK grams, each run a phrase of its own.
    """
    columns = _TEXT_COLUMNS[term.field]
    tokens: list[str] = []
    matches: list[TextMatch] = []
    for word in term.words:
        script_runs, rest = cjk.split(word)
        matches += [TextMatch(CJK_TABLE, f"{columns} : {cjk.query_phrase(run)}") for run in script_runs]
        tokens += _TOKEN.findall(rest)
    if tokens:
        phrase = '"' + " ".join(tokens) + '"'
        table = EXACT_TABLE if term.prefix else STEM_TABLE
        matches.insert(0, TextMatch(table, f"{columns} : {phrase}{' *' if term.prefix else ''}"))
    return matches or None


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
        matches = text_matches(term)
        if matches is None:  # only punctuation: matches nothing, like a search engine
            return "0"
        if not self._negated:
            self.positive_terms.append(term)
        self.parameters += [match.expression for match in matches]
        return "(" + " AND ".join(_in_table(match.table) for match in matches) + ")"

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
