"""The spelling notices of a query: the rescue line and the "did you mean" line on stderr."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..archive import Archive
    from ..query import Query
    from ..spelling import Spelling
    from .environment import Context


def checked_query(context: Context, archive: Archive, query: Query) -> Query:
    """The query a command runs: `query`, or its rescue, told on stderr.

    The rescue line shows even with --quiet, as the results are not those of the words
    typed; "did you mean" is a notice, which --quiet silences.
    """
    spelling = archive.check_spelling(query)
    tell_spelling(context, spelling)
    return spelling.query


def tell_spelling(context: Context, spelling: Spelling) -> None:
    if spelling.rescue_notice:
        context.say(spelling.rescue_notice)
    if spelling.suggestion_notice:
        context.notice(spelling.suggestion_notice)
