"""What a listing command was asked (the QUERY, its shortcut options, the page) and the
query built from it: plain objects, so the piped path (`piped.py`) builds them without click."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import QueryError
from ..slotted import replace
from .arguments import check_text
from .config import expand_saved

if TYPE_CHECKING:
    from ..query import Query
    from .environment import Context


# NamedTuples, not frozen dataclasses: see arguments.OptionTable.
class QueryRequest(NamedTuple):
    """The query argument and the shortcut options, as typed."""

    words: tuple[str, ...]
    provider: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    type_: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    sort: str | None = None


class PageRequest(NamedTuple):
    """--limit and --offset."""

    limit: int | None = None
    offset: int = 0



def build_query(context: Context, request: QueryRequest) -> Query:
    """One Query from the words and the shortcut options (which add qualifiers)."""
    from ..query import And, FieldFilter, RangeFilter, parse_query

    settings = context.settings
    now = context.environment.now
    words = expand_saved(request.words, settings.saved_queries if settings else {})
    for word in words:  # saved queries come from the config file, not through the argument check
        check_text(word, "the query")
    if request.sort:
        words.append(f"sort:{request.sort}")
    query = parse_query(words, now)
    extra: list[Any] = []
    for name, values in (("provider", request.provider), ("topic", request.topic), ("type", request.type_)):
        if values:
            extra.append(FieldFilter(name, tuple(values), 0))
    if request.since or request.until:
        from ..dates import since_bound, until_bound  # only --since and --until pay for the date rules

        low = _bound(since_bound, request.since, now, "--since")
        high = _bound(until_bound, request.until, now, "--until")
        extra.append(RangeFilter("date", low, high, True, False, 0))
    if not extra:
        return query
    root = And(tuple(([query.root] if query.root is not None else []) + extra))
    return replace(query, root=root)


def _bound(function: Callable[[str, datetime], datetime], text: str | None, now: datetime,
           option: str) -> datetime | None:
    if text is None:
        return None
    try:
        return function(text, now)
    except QueryError as error:
        raise QueryError(f"{option} {text!r}: {error.message}", hint=error.hint) from None


def page_limit(context: Context, page: PageRequest, *, pretty: bool) -> int | None:
    """--limit, or on a terminal the configured default (20)."""
    if page.limit is not None:
        return page.limit
    return context.settings.default_limit if pretty and context.settings else None
