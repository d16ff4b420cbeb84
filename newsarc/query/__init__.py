"""The query language -> a syntax tree (being split into modules)."""

from .parser import (
    ALL_FIELDS,
    EXACT_FIELDS,
    HAS_VALUES,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    RANGE_FIELDS,
    SORT_KEYS,
    TEXT_FIELDS,
    And,
    FieldFilter,
    FieldHelp,
    Node,
    Not,
    Or,
    Query,
    RangeFilter,
    TextTerm,
    fields_help,
    parse_query,
    query_source,
)

__all__ = [
    "ALL_FIELDS", "EXACT_FIELDS", "HAS_VALUES", "MAX_DEPTH", "MAX_QUERY_LENGTH", "RANGE_FIELDS",
    "SORT_KEYS", "TEXT_FIELDS", "And", "FieldFilter", "FieldHelp", "Node", "Not", "Or", "Query",
    "RangeFilter", "TextTerm", "fields_help", "parse_query", "query_source",
]
