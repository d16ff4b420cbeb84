"""Records (the mappings found in files) to articles, and articles back to records.

A record uses the source files' camelCase keys. `article_from_record` checks every
known key's type, normalises dates to aware UTC, repairs mojibake (keeping the
original text), and keeps unknown keys in `extra`. `record_from_article` is its
inverse, so an article written out and read back is equal to the original.
"""

from .keys import SCHEMA
from .reading import MAX_DEPTH, article_from_record
from .values import parse_datetime, repair_mojibake
from .writing import iso_utc, json_record, json_text, original_body, record_from_article

__all__ = [
    "MAX_DEPTH", "SCHEMA", "article_from_record", "iso_utc", "json_record", "json_text",
    "original_body", "parse_datetime", "record_from_article", "repair_mojibake",
]
