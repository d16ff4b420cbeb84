"""One file -> its articles and problems, the format chosen by content, never by name."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .frontmatter import parse_front_matter
from .jsonpages import parse_json
from .plaintext import parse_plain_text
from .reading import MAX_FILE_BYTES, NotRegular, TooLarge, decode, read_article_file
from .result import problem

if TYPE_CHECKING:
    from pathlib import Path

    from .result import ParseResult

_FRONT_MATTER_OPEN = re.compile(r"---[ \t]*\n")
_LOOKS_LIKE_JSON_LIST = re.compile(r"\[\s*[\[{\"\]]")


def parse_file(file_path: str | Path, path: str, *, max_bytes: int = MAX_FILE_BYTES) -> ParseResult:
    """Read and parse one file; `path` is the name problems and articles carry."""
    try:
        data = read_article_file(file_path, max_bytes)
    except FileNotFoundError:
        return problem(path, None, "file disappeared before it could be read")
    except IsADirectoryError:
        return problem(path, None, "is a folder, not a file")
    except NotRegular as error:
        return problem(path, None, str(error))
    except TooLarge as error:
        limit = max_bytes // (1024 * 1024)
        size = error.size / 1048576
        return problem(path, None, f"file is {size:.1f} MB, over the {limit} MB limit for an article file")
    except OSError as error:
        return problem(path, None, f"cannot read file: {error.strerror or error}")
    return parse_bytes(data, path)


def parse_bytes(data: bytes, path: str) -> ParseResult:
    """Parse the bytes of one file."""
    if not data.strip():
        return problem(path, None, "empty file")
    text = decode(data)
    if text is None:
        return problem(path, None, "binary file, not an article (it contains NUL bytes)")
    if not text.strip():  # a byte-order mark and nothing else, or UTF-16 white space
        return problem(path, None, "empty file")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        return _parse_text(text, path)
    except RecursionError:
        return problem(path, None, "nested too deeply to be an article")


def _parse_text(text: str, path: str) -> ParseResult:
    if _FRONT_MATTER_OPEN.match(text) or text.rstrip() == "---":
        return parse_front_matter(text, path)
    stripped = text.lstrip()
    if stripped.startswith("{") or _LOOKS_LIKE_JSON_LIST.match(stripped):
        return parse_json(text, path)
    return parse_plain_text(text, path)
