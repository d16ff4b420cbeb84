"""JSON and JSON Lines: the lossless interchange form of `records.json_record`.

Every field is written, `extra` included, dates as ISO 8601 UTC, with the
`schema` field that tells newsarc's reader the `id`/`path`/`index` keys are
metadata. Reading either file back with `parsing` gives equal articles.
`search --json` adds one key to each record, `match` (see `match_object`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from ..model import Article
from ..records import json_record, json_text
from ..results import Hit, Span
from . import ExportOptions


def record_line(article: Article) -> str:
    """The article's record as one line of JSON (newlines inside text are escaped)."""
    try:
        return json_text(article)
    except (TypeError, ValueError):
        # Values no JSON can hold (a YAML set or binary in `extra`) are written as
        # text rather than failing a whole export.
        return json.dumps(json_record(article), ensure_ascii=False, default=str)


def match_object(hit: Hit) -> dict[str, Any]:
    """What `search --json` says beside a hit's record: the score and its parts (null in
    an order that is not by relevance), the snippet as plain text, and the matched
    stretches as [start, end) character offsets into the snippet and into the title."""
    snippet, highlights = _offsets(hit.snippet_spans)
    _, title_highlights = _offsets(hit.title_spans)
    score = hit.score
    return {
        "score": None if score is None else score.value,
        "parts": None if score is None else score.parts(),
        "snippet": snippet,
        "highlights": highlights,
        "title_highlights": title_highlights,
    }


def hit_line(hit: Hit) -> str:
    """The hit's article record as one line of JSON, with its `match` object last."""
    record = record_line(hit.article)
    return record[:-1] + ', "match": ' + json.dumps(match_object(hit), ensure_ascii=False) + "}"


def write_hit_lines(hits: Iterable[Hit], stream: TextIO, options: ExportOptions) -> int:
    count = 0
    for hit in hits:
        stream.write(hit_line(hit) + "\n")
        count += 1
    return count


def _offsets(spans: list[Span] | None) -> tuple[str, list[list[int]]]:
    text, marked = "", []
    for piece, matched in spans or ():
        if matched:
            marked.append([len(text), len(text) + len(piece)])
        text += piece
    return text, marked


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
