"""The Python API every command calls."""

from __future__ import annotations

from pathlib import Path

from .errors import ArchiveError
from .files import walk_archive
from .parsing import ParseResult, parse_file


def load_archive(root: str | Path) -> ParseResult:
    """Parse every article file below `root`, collecting problems instead of stopping."""
    root = Path(root)
    if not root.is_dir():
        raise ArchiveError(f"no archive folder at {root}", hint="pass --archive PATH")
    result = ParseResult()
    for article_file in walk_archive(root, result.problems):
        parsed = parse_file(article_file.file_path, article_file.path)
        result.articles.extend(parsed.articles)
        result.problems.extend(parsed.problems)
    return result
