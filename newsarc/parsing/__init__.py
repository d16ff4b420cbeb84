"""Bytes of a file -> articles and problems, and the walk that finds the files.

The format is chosen by content, never by file name: YAML front matter between
`---` lines (with or without a body after it), JSON (a page with a `value` or
`news` list, one article object or a list of them), JSON Lines, and plain text
whose first line is the title. Only files the name says are not articles
(`names.name_kind`: a page, code, a README) are read as front matter or not at all,
and a script (a `#!` line) is never an article. Nothing here raises because of a bad
file: every failure becomes a `Problem` naming the file and, where known, the line;
a file that is not an article is `skipped`, with the reason.

One module per step: `reading` (bytes without blocking, then text), `dispatch`
(which format), `frontmatter`, `yamlload` (the safe loader, with `yamlsubset` as
its fast path and `yamlnesting` as its depth check), `jsonpages`, `plaintext`;
`result` holds what they return; `names` says from a name how a file is read, and `walk`
(with `statpool`) finds the article files of a folder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .names import (
    ARTICLE,
    FRONT_MATTER_ONLY,
    IGNORED_SUFFIXES,
    LEFTOVER_SUFFIXES,
    NOT_ARTICLE_STEMS,
    NOT_ARTICLE_SUFFIXES,
    SKIPPED_BY_NAME,
    SKIPPED_FOLDERS,
    is_article_name,
    is_walked_name,
    name_kind,
    readable_name,
    real_name,
)
from .walk import ArticleFile, FileStat, Listing, scan_archive, walk_archive

if TYPE_CHECKING:
    from .dispatch import parse_bytes, parse_file
    from .jsonpages import json_error_message, load_json
    from .reading import MAX_FILE_BYTES, decode, read_article_file
    from .result import ParseResult, article_id
    from .yamlload import load_yaml

# The parsers (and PyYAML behind them) load on first use: a command whose index is
# fresh only walks, and start-up is most of what it costs.
_LAZY = {
    "parse_bytes": "dispatch", "parse_file": "dispatch", "json_error_message": "jsonpages",
    "load_json": "jsonpages", "MAX_FILE_BYTES": "reading", "decode": "reading",
    "read_article_file": "reading", "ParseResult": "result", "article_id": "result", "load_yaml": "yamlload",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "ARTICLE",
    "FRONT_MATTER_ONLY",
    "IGNORED_SUFFIXES",
    "LEFTOVER_SUFFIXES",
    "MAX_FILE_BYTES",
    "NOT_ARTICLE_STEMS",
    "NOT_ARTICLE_SUFFIXES",
    "SKIPPED_BY_NAME",
    "SKIPPED_FOLDERS",
    "ArticleFile",
    "FileStat",
    "Listing",
    "ParseResult",
    "article_id",
    "decode",
    "is_article_name",
    "is_walked_name",
    "json_error_message",
    "load_json",
    "load_yaml",
    "name_kind",
    "parse_bytes",
    "parse_file",
    "read_article_file",
    "readable_name",
    "real_name",
    "scan_archive",
    "walk_archive",
]
