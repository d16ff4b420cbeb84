"""Typed errors. The library raises these; only the CLI turns them into text."""

from __future__ import annotations


class NewsarcError(Exception):
    """Base of every error newsarc reports to a user as one line."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        position: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.position = position
        self.hint = hint

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "
        text = f"{where}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class ParseError(NewsarcError):
    """A file or record that cannot become an article."""


class QueryError(NewsarcError):
    """A query that cannot be understood; `position` is the 0-based offset in the query."""


class ArchiveError(NewsarcError):
    """The archive itself cannot be used (missing folder, unreadable path)."""


class StoreError(NewsarcError):
    """The index database cannot be opened or written."""


class NotFoundError(NewsarcError):
    """An id, path or URL that names no article, or names several (AmbiguousError)."""


class AmbiguousError(NotFoundError):
    """An id prefix that names several articles: a usage error, not a missing article."""


class ExportError(NewsarcError):
    """An export that cannot be written as asked (target exists, unknown format)."""
