"""Plain text whose first line is the title."""

from __future__ import annotations

import re

from ..errors import ParseError
from ..records import article_from_record
from .result import ParseResult, one_article, problem

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# How far into a plain-text body a line repeating the title is taken as a headline
# printed twice (the seeds repeat it under the lede) rather than as content.
_REPEATED_TITLE_PARAGRAPHS = 3


def parse_plain_text(text: str, path: str) -> ParseResult:
    """First non-empty line is the title; the rest is the body, its first paragraph the excerpt."""
    lines = text.strip("\n").split("\n")
    title = lines[0].strip()
    paragraphs = [part for part in _PARAGRAPH_BREAK.split("\n".join(lines[1:])) if part.strip()]
    kept = [
        paragraph
        for position, paragraph in enumerate(paragraphs)
        if not (position < _REPEATED_TITLE_PARAGRAPHS and paragraph.strip() == title)
    ]
    body = "\n\n".join(paragraph.strip("\n") for paragraph in kept)
    excerpt = " ".join(kept[0].split()) if kept else ""
    try:
        article = article_from_record({"title": title, "excerpt": excerpt}, body=body)
    except ParseError as error:
        return problem(path, 1, error.message)
    return one_article(article, path)
