"""How a command is declared: shared option decorators that fold what was typed into
one frozen request object, the query built from it, and the argument checks.

A command takes `(context, request)`: `query_options` folds the QUERY and its
shortcut options into a `QueryRequest`, `page_options` --limit/--offset into a
`PageRequest`, and `builds(SomeRequest)` everything the command declares into the
one object it receives. A parameter the request does not declare is an error.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import click

from ..errors import QueryError
from ..slotted import replace
from .arguments import check_text
from .choices import LibraryHelpOption, sort_help
from .completion import complete_query
from .config import expand_saved

if TYPE_CHECKING:
    from ..query import Query
    from .environment import Context

T = TypeVar("T")
Command = Callable[..., Any]

# Options that let through words click would take for options (`-hsbc`): arguments.py sorts them.
QUERY_COMMAND: dict[str, Any] = {"context_settings": {"ignore_unknown_options": True}}

# Options whose values are file names, which may be any bytes (all other text must be UTF-8).
PATH_PARAMETERS = frozenset({"archive_path", "index_path", "output", "into", "sources"})


# --- request objects ----------------------------------------------------------------------


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


def builds(request_type: Callable[..., Any]) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Fold every parameter of the command into one frozen `request_type`, passed last."""

    def decorator(command: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(command)
        def folded(*args: Any, **params: Any) -> T:
            return command(*args, request_type(**params))

        return folded

    return decorator


def _folds(request_type: type[Any], keyword: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    """Fold the parameters `request_type` declares into one `keyword` argument."""
    names: tuple[str, ...] = request_type._fields

    def decorator(command: Callable[..., T]) -> Callable[..., T]:
        @functools.wraps(command)
        def folded(*args: Any, **params: Any) -> T:
            values = {name: params.pop(name) for name in names}
            return command(*args, **params, **{keyword: request_type(**values)})

        return folded

    return decorator


# --- shared options -----------------------------------------------------------------------


def query_options(command: Command) -> Command:
    """The query argument and the shortcut options every listing command takes (-> `query`)."""
    options = [
        click.argument("words", nargs=-1, metavar="[QUERY]...", shell_complete=complete_query),
        click.option("--provider", multiple=True, help="Only this provider (name or domain); repeatable."),
        click.option("--topic", multiple=True, help="Only this topic; repeatable."),
        click.option("--type", "type_", multiple=True, help="Only this article type."),
        click.option("--since", help="Published on or after (2021-11, 7d, yesterday, ...)."),
        click.option("--until", help="Published on or before (2021-11-30, 'last month', ...)."),
        click.option("--sort", cls=LibraryHelpOption, help_from=sort_help),
    ]
    command = _folds(QueryRequest, "query")(command)
    for option in reversed(options):
        command = option(command)
    return command


def page_options(command: Command) -> Command:
    """--limit and --offset (-> `page`)."""
    command = _folds(PageRequest, "page")(command)
    command = click.option("--offset", type=click.IntRange(min=0), default=0,
                           help="Skip this many results.")(command)
    return click.option("--limit", "-n", type=click.IntRange(min=0),
                        help="At most this many results (default 20 on a terminal, all when piped).")(command)


def output_options(command: Command) -> Command:
    """--json (-> `as_json`)."""
    return click.option("--json", "as_json", is_flag=True,
                        help="JSON Lines on stdout, one per line.")(command)


# --- the query ----------------------------------------------------------------------------


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


# --- declaring a command ------------------------------------------------------------------


def check_parameters(click_context: click.Context) -> None:
    """Every text argument is UTF-8 without NUL; file names may hold any bytes but NUL."""
    for param in click_context.command.params:
        value = click_context.params.get(param.name or "")
        what = f"the value of {param.opts[0]}" if isinstance(param, click.Option) else "the argument"
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, str) and (param.name not in PATH_PARAMETERS or "\x00" in item):
                check_text(item, what)


class NewsarcCommand(click.Command):
    def parse_args(self, click_context: click.Context, args: list[str]) -> list[str]:
        rest = super().parse_args(click_context, args)
        if not click_context.resilient_parsing:
            check_parameters(click_context)
        return rest


def newsarc_command(name: str | None = None, *, takes_query: bool = False,
                    **attrs: Any) -> Callable[[Command], click.Command]:
    """`click.command` for a newsarc command; `takes_query` lets `-word` exclusions through."""
    settings = QUERY_COMMAND if takes_query else {}
    return click.command(name, cls=NewsarcCommand, **settings, **attrs)
