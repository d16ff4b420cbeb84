"""`paths`: the archive path of each article, one per line, as `rg -l` lists files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from ..model import Article
from ..textsafe import safe_line


def write_paths(articles: Iterable[Article], stream: TextIO, options: object = None) -> int:
    """One line per article: its path, with `#N` after the path for the Nth record of a multi-record file."""
    count = 0
    for article in articles:
        stream.write(path_line(article.path, article.index) + "\n")
        count += 1
    return count


def path_line(path: str, index: int | None) -> str:
    # A path is a file name from the archive: control characters in it must not reach a terminal.
    shown = safe_line(path)
    return shown if index is None else f"{shown}#{index + 1}"
