"""The query language -> a syntax tree. No SQL here: the index compiles the tree.

CONTRACT (the index compiles exactly these nodes):

    Query(root: Node | None, sort: str | None, text: bool, source: str)
        root   None means "every article"
        sort   None, or one of SORT_KEYS
        text   True when the tree holds a TextTerm outside a Not (ranking applies)
    Node = TextTerm | FieldFilter | RangeFilter | Not | And | Or

    TextTerm(words: tuple[str, ...], field: str | None, phrase: bool, prefix: bool, position: int)
        field  None (all text), or one of TEXT_FIELDS
        words  the word(s) of the term; a phrase keeps its words in order; prefix means
               the last word is a prefix (`sense*`)
    FieldFilter(field: str, values: tuple[str, ...], position: int)
        field in EXACT_FIELDS; any of `values` matches (comma lists); compared
        case-insensitively; for `path` each value is a glob; for `published` the values
        are "yes"/"no"; for `has` one of HAS_VALUES
    RangeFilter(field: str, low, high, low_inclusive: bool, high_inclusive: bool, position: int)
        field "date" (low/high aware UTC datetimes or None) or "quality"/"heat" (ints or None)
    Not(child), And(children: tuple), Or(children: tuple)

ADDITIONS (defaults, so the contract above still holds):

    RangeFilter.expression  the `date:` value as written (`7d`, `"last week"`), kept so a
                            saved query stays relative; not compared.
    And/Or hold two children or more and never directly hold their own kind (nested
    groups are flattened); a Not never directly holds a Not (`--x` is `x`).
    For "date" the range is always half-open: low_inclusive=True, high_inclusive=False.
    For "quality"/"heat" the flag of a missing bound is True.
    `position` is the offset in Query.source of the term's first character: a field's
    name, a phrase's opening quote (for a `-term`, the character after the `-`).

ALSO PUBLIC: parse_query(text, now), query_source(text), fields_help() -> [FieldHelp],
Query.describe(resolve_dates=False) (str(query) is the same), the constants below.

THE LANGUAGE (see `fields_help()` for the fields):

    words, "exact phrases", prefix*     implicit AND; `AND` also accepted
    a OR b, -term, NOT term, ( ... )    NOT binds tightest, then AND, then OR
    title:word  title:"a phrase"  title:(a OR b)
    provider:scmp.com  topic:"AI in Healthcare",Robotics  (a comma list: any of them)
    quality:>=5  heat:-1..5  date:2021-11  date:>=2021-11  date:7d
    sort:heat    not a node: sets Query.sort; the last one wins; never negated or in an OR
"""

from .fields import (
    ALL_FIELDS,
    EXACT_FIELDS,
    HAS_VALUES,
    RANGE_FIELDS,
    SORT_KEYS,
    TEXT_FIELDS,
    FieldHelp,
    fields_help,
)
from .lexer import query_source
from .parser import MAX_DEPTH, MAX_QUERY_LENGTH, parse_query
from .syntax import And, FieldFilter, Node, Not, Or, Query, RangeFilter, TextTerm

__all__ = [
    "ALL_FIELDS", "EXACT_FIELDS", "HAS_VALUES", "MAX_DEPTH", "MAX_QUERY_LENGTH", "RANGE_FIELDS",
    "SORT_KEYS", "TEXT_FIELDS", "And", "FieldFilter", "FieldHelp", "Node", "Not", "Or", "Query",
    "RangeFilter", "TextTerm", "fields_help", "parse_query", "query_source",
]
