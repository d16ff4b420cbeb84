"""Records to articles and back (being split into modules)."""

from .reading import (
    MAX_DEPTH,
    SCHEMA,
    article_from_record,
    iso_utc,
    json_record,
    json_text,
    original_body,
    parse_datetime,
    record_from_article,
    repair_mojibake,
)

__all__ = [
    "MAX_DEPTH", "SCHEMA", "article_from_record", "iso_utc", "json_record", "json_text",
    "original_body", "parse_datetime", "record_from_article", "repair_mojibake",
]
