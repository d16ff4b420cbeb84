"""What parsing one file gives, and the pieces every format builds it from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..model import Problem

if TYPE_CHECKING:
    from ..model import Article


@dataclass
class ParseResult:
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Why the file is not an article at all (a script, a README, a page without front
    # matter): not a problem, but counted and listed so that nothing vanishes unsaid.
    skipped: str | None = None


def skipped(reason: str) -> ParseResult:
    return ParseResult(skipped=reason)


def article_id(path: str, index: int | None = None) -> str:
    """A short id that stays the same each time the archive is read.

    The Nth record of a file is keyed with a NUL, which no file name holds: with `#`,
    a file named `p.json#1` had the id of the second record of `p.json`.
    """
    key = path if index is None else f"{path}\0{index}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def placed(article: Article, path: str, index: int | None) -> Article:
    """`article`, given the file (and record) it was read from and the id that follows."""
    article.path = path
    article.index = index
    article.id = article_id(path, index)
    return article


def one_article(article: Article, path: str) -> ParseResult:
    return ParseResult(articles=[placed(article, path, None)])


def problem(path: str, line: int | None, message: str) -> ParseResult:
    return ParseResult(problems=[Problem(path, line, message)])


def one_line(text: str) -> str:
    return " ".join(str(text).split())
