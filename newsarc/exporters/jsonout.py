"""JSON and JSON Lines: the lossless interchange form of `records.json_record`.

Every field is written, `extra` included, dates as ISO 8601 UTC, with the
`schema` field that tells newsarc's reader the `id`/`path`/`index` keys are
metadata. Reading either file back with `parsing` gives equal articles.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from ..model import Article
from ..records import json_record, json_text
from . import ExportOptions


def record_line(article: Article) -> str:
    """The article's record as one line of JSON (newlines inside text are escaped)."""
    try:
        return json_text(article)
    except (TypeError, ValueError):
        # Values no JSON can hold (a YAML set or binary in `extra`) are written as
        # text rather than failing a whole export.
        return json.dumps(json_record(article), ensure_ascii=False, default=str)


def write_jsonl(articles: Iterable[Article], stream: TextIO, options: ExportOptions) -> int:
    count = 0
    for article in articles:
        stream.write(record_line(article) + "\n")
        count += 1
    return count


def write_record_lines(records: Iterable[str], stream: TextIO, options: ExportOptions) -> int:
    """Record texts the index already holds, one per line: what `write_jsonl` writes for
    their articles, without rebuilding them."""
    count = 0
    for record in records:
        stream.write(record + "\n")
        count += 1
    return count


def write_json(articles: Iterable[Article], stream: TextIO, options: ExportOptions) -> int:
    """A JSON array written one record per line, so it streams and diffs well."""
    count = 0
    stream.write("[")
    for article in articles:
        stream.write(",\n" if count else "\n")
        stream.write(record_line(article))
        count += 1
    stream.write("\n]\n" if count else "]\n")
    return count
