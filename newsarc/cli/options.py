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
from typing import Any, TypeVar

import click

from .arguments import check_text
from .choices import LibraryHelpOption, sort_help
from .completion import complete_query
from .environment import Context
from .queries import PageRequest, QueryRequest

T = TypeVar("T")
Command = Callable[..., Any]

# Options that let through words click would take for options (`-hsbc`): arguments.py sorts them.
QUERY_COMMAND: dict[str, Any] = {"context_settings": {"ignore_unknown_options": True}}

# Options whose values are file names, which may be any bytes (all other text must be UTF-8).
PATH_PARAMETERS = frozenset({"archive_path", "index_path", "output", "into", "sources"})


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


pass_context = click.make_pass_decorator(Context)


def newsarc_command(name: str | None = None, *, takes_query: bool = False,
                    **attrs: Any) -> Callable[[Command], click.Command]:
    """`click.command` for a newsarc command; `takes_query` lets `-word` exclusions through."""
    settings = QUERY_COMMAND if takes_query else {}
    return click.command(name, cls=NewsarcCommand, **settings, **attrs)
