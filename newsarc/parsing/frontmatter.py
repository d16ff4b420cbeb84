"""YAML front matter between `---` lines, with or without a body after it."""

from __future__ import annotations

import re

from ..errors import ParseError
from ..records import article_from_record
from .result import ParseResult, one_article, problem
from .yamlload import load_yaml

# The closing line, at the start of the search or after a newline: a pattern that opens
# with `^` is tried at every character, one that opens with a newline is found by a scan.
_CLOSE_HERE = re.compile(r"(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
_CLOSE_LATER = re.compile(r"\n((?:---|\.\.\.)[ \t]*)$", re.MULTILINE)


def parse_front_matter(text: str, path: str) -> ParseResult:
    """The article of a text that opens with a `---` line."""
    start = text.find("\n") + 1 if "\n" in text else len(text)
    closing = _closing_line(text, start)
    if closing is None:
        return problem(path, 1, "front matter opened with '---' is never closed by a '---' line")
    front_matter = text[start : closing[0]]
    body = text[closing[1] :].strip("\n")
    try:
        record = load_yaml(front_matter, first_line=2)
    except ParseError as error:
        return problem(path, error.line, error.message)
    if record is None:
        return problem(path, 1, "front matter is empty")
    try:
        article = article_from_record(record, body=body)
    except ParseError as error:
        # An error about no key in particular (the front matter is a list) is about line 2.
        line = _key_line(front_matter, error.hint, offset=1) if error.hint else 2
        return problem(path, line, error.message)
    return one_article(article, path)


def _closing_line(text: str, start: int) -> tuple[int, int] | None:
    """Where the first `---` or `...` line at or after `start` (a line's start) begins and ends."""
    here = _CLOSE_HERE.match(text, start) if start < len(text) else None
    if here is not None:
        return here.span()
    later = _CLOSE_LATER.search(text, start)
    return later.span(1) if later is not None else None


def _key_line(front_matter: str, key: str | None, *, offset: int) -> int | None:
    if not key:
        return None
    match = re.search(rf"^{re.escape(key)}[ \t]*:", front_matter, re.MULTILINE)
    if match is None:
        return None
    return front_matter.count("\n", 0, match.start()) + 1 + offset
