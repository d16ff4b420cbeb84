"""The command line: options -> one request -> archive -> output.

The only module that imports click. Every command opens an `Archive`, asks it
one question and hands the answer to a renderer (on a terminal) or writes data
(JSON Lines or an export format) when piped or asked to. People's messages go
to stderr; stdout carries only the answer.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from enum import IntEnum
from pathlib import Path
from typing import Any, TextIO

import click

from .. import __version__
from .arguments import ArgumentError, OptionTable, check_text, locate_command, sort_arguments
from ..errors import AmbiguousError, NewsarcError, NotFoundError, QueryError
from ..textsafe import TerminalStream, safe_line


class ExitCode(IntEnum):
    OK = 0
    NO_MATCH = 1
    PROBLEMS = 1
    USAGE = 2
    INTERNAL = 70
    INTERRUPTED = 130


COLOR_CHOICES = ("auto", "always", "never")
FRESHNESS_CHOICES = ("full", "dirs", "none")


class CommandExit(Exception):
    """Raised by a command to end with a code after its output is written."""

    def __init__(self, code: ExitCode) -> None:
        super().__init__(int(code))
        self.code = code


# --- the environment: streams, terminal, clock ----------------------------------------


@dataclass
class Environment:
    """Everything a command reads from the process, injectable for tests."""

    stdout: TextIO
    stderr: TextIO
    stdout_tty: bool
    stderr_tty: bool
    variables: Mapping[str, str]
    now: datetime
    local_zone: tzinfo | None = None
    width: int | None = None
    height: int | None = None

    @classmethod
    def from_process(cls) -> Environment:
        return cls(
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdout_tty=sys.stdout.isatty(),
            stderr_tty=sys.stderr.isatty(),
            variables=os.environ,
            now=datetime.now(timezone.utc),
            local_zone=datetime.now().astimezone().tzinfo,
        )


@dataclass(frozen=True)
class Settings:
    """The global options, frozen once the command line is read."""

    archive: str
    index: str | None
    no_cache: bool
    fresh: str
    color: str
    quiet: bool
    debug: bool
    strict: bool
    pager: bool
    default_limit: int
    saved_queries: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Context:
    environment: Environment
    settings: Settings | None = None

    @functools.cached_property
    def color(self) -> bool:
        return _wants_color(self.settings.color if self.settings else "auto", self.environment)

    def console(self, *, stderr: bool = False) -> Any:
        from rich.console import Console

        environment = self.environment
        stream = environment.stderr if stderr else environment.stdout
        is_tty = environment.stderr_tty if stderr else environment.stdout_tty
        return Console(
            file=stream,
            force_terminal=is_tty or (self.color and self.settings is not None and self.settings.color == "always"),
            no_color=not self.color,
            color_system="auto" if self.color else None,
            width=environment.width or _env_int(environment.variables, "COLUMNS") or (None if is_tty else 100),
            height=environment.height,
            highlight=False,
            markup=False,
            emoji=False,
            legacy_windows=False,
            soft_wrap=False,
        )

    @property
    def pretty(self) -> bool:
        """Tables and colour for a person, or data for a program."""
        return self.environment.stdout_tty

    def notice(self, message: str) -> None:
        if self.settings is None or not self.settings.quiet:
            self._say(message)

    def warn(self, message: str) -> None:
        self._say(f"warning: {message}")

    def _say(self, message: str) -> None:
        click.echo(f"newsarc: {safe_line(message)}", file=self.environment.stderr)

    def write_data(self, line: str) -> None:
        self.environment.stdout.write(line + "\n")

    def show(self, renderable: Any) -> None:
        """Print a renderable to stdout, through a pager when it is taller than the screen."""
        console = self.console()
        if self._use_pager(console, renderable):
            with _pager_variables(self.environment.variables), console.pager(styles=self.color):
                console.print(renderable)
        else:
            console.print(renderable)

    def _use_pager(self, console: Any, renderable: Any) -> bool:
        if not (self.pretty and self.settings is not None and self.settings.pager):
            return False
        if not self.environment.stdout.isatty():  # injected test streams never page
            return False
        lines = console.render_lines(renderable, console.options, pad=False)
        return len(lines) > console.size.height - 2


# As git does: without these, less shows colour codes as text (R), and pages a short answer (F, X).
PAGER_DEFAULTS = {"LESS": "FRX", "LV": "-c"}


@contextmanager
def _pager_variables(variables: Mapping[str, str]) -> Iterator[None]:
    """The pager's environment: PAGER_DEFAULTS for each variable the user did not set."""
    added = {name: value for name, value in PAGER_DEFAULTS.items()
             if name not in variables and name not in os.environ}
    os.environ.update(added)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _wants_color(choice: str, environment: Environment) -> bool:
    if choice == "always":
        return True
    if choice == "never":
        return False
    variables = environment.variables
    if variables.get("NO_COLOR"):
        return False
    if variables.get("FORCE_COLOR"):
        return True
    if variables.get("TERM") == "dumb":
        return False
    return environment.stdout_tty


def _env_int(variables: Mapping[str, str], name: str) -> int | None:
    value = variables.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else None


# --- configuration ---------------------------------------------------------------------


def load_config(environment: Environment) -> dict[str, Any]:
    """The optional newsarc.toml in the XDG config folder (or NEWSARC_CONFIG)."""
    path_text = environment.variables.get("NEWSARC_CONFIG")
    if path_text:
        path = Path(path_text)
    else:
        from platformdirs import user_config_dir

        path = Path(user_config_dir("newsarc")) / "newsarc.toml"
    if not path.is_file():
        return {}
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise click.UsageError(f"{path}: cannot read config: {error}") from None


def _complete_query(click_context: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Complete field names, and provider/topic/type values from the index (without refreshing)."""
    from click.shell_completion import CompletionItem

    from ..query import fields_help

    if ":" not in incomplete:
        return [CompletionItem(f"{entry.name}:", help=entry.description) for entry in fields_help()
                if entry.name.startswith(incomplete)]
    name, _, prefix = incomplete.partition(":")
    try:
        from ..archive import Archive

        params = click_context.parent.params if click_context.parent else {}
        root = params.get("archive_path") or os.environ.get("NEWSARC_ARCHIVE") or "."
        index = params.get("index_path") or os.environ.get("NEWSARC_INDEX") or None
        # A Tab must answer at once: the index as it is (built only when there is none yet).
        with Archive.open(root, index=index, fresh="none") as archive:
            values = archive.field_examples(name, limit=200)
    except NewsarcError:
        return []
    return [CompletionItem(f"{name}:{_quote(value)}") for value in values if value.lower().startswith(prefix.lower())]


def _quote(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) else value


# --- shared options ---------------------------------------------------------------------


def query_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The query argument and the shortcut options every listing command takes."""
    options = [
        click.argument("words", nargs=-1, metavar="[QUERY]...", shell_complete=_complete_query),
        click.option("--provider", multiple=True, help="Only this provider (name or domain); repeatable."),
        click.option("--topic", multiple=True, help="Only this topic; repeatable."),
        click.option("--type", "type_", multiple=True, help="Only this article type."),
        click.option("--since", help="Published on or after (2021-11, 7d, yesterday, ...)."),
        click.option("--until", help="Published on or before (2021-11-30, 'last month', ...)."),
        click.option("--sort", help="date, date-asc, relevance, heat, quality, title or provider."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def page_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many results.")(command)
    return click.option("--limit", "-n", type=click.IntRange(min=0),
                        help="At most this many results (default 20 on a terminal, all when piped).")(command)


def output_options(command: Callable[..., Any]) -> Callable[..., Any]:
    command = click.option("--json", "as_json", is_flag=True, help="JSON Lines on stdout, one per line.")(command)
    return command


@dataclass(frozen=True)
class QueryRequest:
    words: tuple[str, ...]
    provider: tuple[str, ...] = ()
    topic: tuple[str, ...] = ()
    type_: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    sort: str | None = None


def _query_request(params: Mapping[str, Any]) -> QueryRequest:
    return QueryRequest(
        words=tuple(params.get("words") or ()),
        provider=tuple(params.get("provider") or ()),
        topic=tuple(params.get("topic") or ()),
        type_=tuple(params.get("type_") or ()),
        since=params.get("since"),
        until=params.get("until"),
        sort=params.get("sort"),
    )


def build_query(context: Context, request: QueryRequest) -> Any:
    """One Query from the words and the shortcut options (which add qualifiers)."""
    from ..dates import since_bound, until_bound
    from ..query import And, FieldFilter, RangeFilter, parse_query

    settings = context.settings
    now = context.environment.now
    words = _expand_saved(request.words, settings.saved_queries if settings else {})
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
        low = _bound(since_bound, request.since, now, "--since")
        high = _bound(until_bound, request.until, now, "--until")
        extra.append(RangeFilter("date", low, high, True, False, 0))
    if not extra:
        return query
    root = And(tuple(([query.root] if query.root is not None else []) + extra))
    return dataclasses.replace(query, root=root)


def _bound(function: Callable[[str, datetime], datetime], text: str | None, now: datetime, option: str) -> Any:
    if text is None:
        return None
    try:
        return function(text, now)
    except QueryError as error:
        raise QueryError(f"{option} {text!r}: {error.message}", hint=error.hint) from None


def _expand_saved(words: Sequence[str], saved: Mapping[str, str]) -> list[str]:
    expanded: list[str] = []
    for word in words:
        if word.startswith("@") and len(word) > 1:
            if word[1:] not in saved:
                known = ", ".join("@" + name for name in sorted(saved)) or "none are saved"
                raise QueryError(f"no saved query {word}", hint=f"saved queries: {known}")
            expanded.append(f"({saved[word[1:]]})")
        else:
            expanded.append(word)
    return expanded


def _limit(context: Context, limit: int | None, *, pretty: bool) -> int | None:
    if limit is not None:
        return limit
    return context.settings.default_limit if pretty and context.settings else None


# --- opening the archive ---------------------------------------------------------------


@contextmanager
def open_archive(
    context: Context, *, rebuild: bool = False, fresh: str | None = None, lists_problems: bool = False
) -> Iterator[Any]:
    from ..archive import Archive

    settings = context.settings
    assert settings is not None
    progress = _RefreshProgress(context)
    try:
        archive = Archive.open(
            settings.archive,
            index=settings.index,
            in_memory=settings.no_cache,
            fresh=fresh or settings.fresh,
            rebuild=rebuild,
            progress=progress,
        )
    finally:
        progress.stop()
    try:
        for message in archive.report.notices:
            context.notice(message)
        report = archive.report
        if report.problems and (report.added or report.changed) and not lists_problems:
            context.notice(f"{report.problems} problem(s) in the archive; `newsarc check` lists them")
        if settings.strict and report.problems:
            context.warn(f"{report.problems} problem(s) in the archive (--strict); `newsarc check` lists them")
            raise CommandExit(ExitCode.PROBLEMS)
        yield archive
    except Exception as error:
        failure = archive.failure(error)  # a damaged or unwritable index: one line, not an internal error
        if failure is None:
            raise
        raise failure from None
    finally:
        archive.close()


class _RefreshProgress:
    """A progress bar on stderr, shown only when parsing takes more than about a second."""

    DELAY_SECONDS = 1.0

    def __init__(self, context: Context) -> None:
        self.context = context
        self.started = time.monotonic()
        self.progress: Any = None
        self.task: Any = None
        self.enabled = context.environment.stderr_tty and not (context.settings and context.settings.quiet)

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.progress is None:
            if time.monotonic() - self.started < self.DELAY_SECONDS:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self.progress = Progress(TextColumn("indexing"), BarColumn(), MofNCompleteColumn(),
                                     TimeRemainingColumn(), console=self.context.console(stderr=True),
                                     transient=True)
            self.progress.start()
            self.task = self.progress.add_task("indexing", total=total)
        self.progress.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        if self.progress is not None:
            self.progress.stop()


# --- the command group -------------------------------------------------------------------


class UsageLine(click.UsageError):
    """A usage error shown as one line, `newsarc: error: ...`, exit 2 (not click's usage block)."""

    def show(self, file: Any = None) -> None:
        _error_line(f"newsarc: error: {safe_line(self.message)}")


def _usage_line(error: click.UsageError) -> click.UsageError:
    if isinstance(error, (UsageLine, click.exceptions.NoArgsIsHelpError)):
        return error
    command = error.ctx.command_path if error.ctx is not None else "newsarc"
    return UsageLine(f"{error.format_message().rstrip('.')} (see `{command} --help`)", ctx=error.ctx)


# Options whose values are file names, which may be any bytes (all other text must be UTF-8).
PATH_PARAMETERS = frozenset({"archive_path", "index_path", "output", "into", "sources"})


def _option_table(command: click.Command, click_context: click.Context) -> OptionTable:
    takes_value: dict[str, bool] = {}
    numeric: set[str] = set()
    for param in command.get_params(click_context):
        if not isinstance(param, click.Option):
            continue
        value = not (param.is_flag or param.count)
        for spelling in (*param.opts, *param.secondary_opts):
            takes_value[spelling] = value
            if value and not spelling.startswith("--") and isinstance(param.type, click.types.IntParamType):
                numeric.add(spelling)
    return OptionTable(takes_value, frozenset(numeric))


def _takes_query(command: click.Command) -> bool:
    return any(isinstance(param, click.Argument) and param.name == "words" for param in command.params)


def _check_parameters(click_context: click.Context) -> None:
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
            _check_parameters(click_context)
        return rest


class NewsarcGroup(click.Group):
    """Sorts the command line (arguments.py), and turns newsarc's typed errors into one
    line on stderr and a named exit code."""

    command_class = NewsarcCommand

    def parse_args(self, click_context: click.Context, args: list[str]) -> list[str]:
        try:
            args = self._sorted(click_context, args)
            rest = super().parse_args(click_context, args)
            if not click_context.resilient_parsing:
                _check_parameters(click_context)
            return rest
        except NewsarcError as error:
            raise UsageLine(str(error), ctx=click_context) from None
        except click.UsageError as error:
            raise _usage_line(error) from None

    def _sorted(self, click_context: click.Context, args: list[str]) -> list[str]:
        """Global options moved in front of the command, query words after one `--`."""
        strict = not click_context.resilient_parsing
        global_table = _option_table(self, click_context)
        try:
            position = locate_command(args, global_table)
        except ArgumentError:
            if strict:
                raise
            return args
        command = self.get_command(click_context, args[position]) if position is not None else None
        if position is None or command is None:
            return args
        sorted_ = sort_arguments(args[position + 1:], _option_table(command, click_context), global_table,
                                 command_name=args[position], takes_query=_takes_query(command),
                                 strict=strict)
        return [*args[:position], *sorted_.global_options, args[position], *sorted_.command_arguments]

    def invoke(self, click_context: click.Context) -> Any:
        try:
            try:
                return super().invoke(click_context)
            finally:
                _flush_stdout(click_context)  # a full disk shows here, not as a traceback at exit
        except CommandExit as done:
            click_context.exit(int(done.code))
        except AmbiguousError as error:
            _error_line(f"newsarc: error: {safe_line(str(error))}")
            click_context.exit(int(ExitCode.USAGE))
        except NotFoundError as error:
            _error_line(f"newsarc: {safe_line(str(error))}")
            click_context.exit(int(ExitCode.NO_MATCH))
        except NewsarcError as error:
            if _debug(click_context):
                raise
            _error_line(f"newsarc: error: {safe_line(str(error))}")
            click_context.exit(int(ExitCode.USAGE))
        except BrokenPipeError:
            _silence_broken_pipe()
            click_context.exit(int(ExitCode.OK))
        except KeyboardInterrupt:
            _error_line("newsarc: interrupted")
            click_context.exit(int(ExitCode.INTERRUPTED))
        except click.exceptions.Exit:
            raise
        except click.UsageError as error:
            raise _usage_line(error) from None
        except (click.ClickException, click.exceptions.Abort):
            raise
        except OSError as error:
            if _debug(click_context):
                raise
            # Reading and the index report their own errors; what is left is writing the answer.
            _silence_broken_pipe()
            where = safe_line(os.fsdecode(error.filename)) if error.filename else "cannot write the output"
            _error_line(f"newsarc: error: {where}: {error.strerror or error}")
            click_context.exit(int(ExitCode.USAGE))
        except Exception as error:  # noqa: BLE001 - the last line of defence: one line, no traceback
            if _debug(click_context):
                raise
            _error_line(f"newsarc: internal error: {safe_line(repr(error))} (run with --debug for details)")
            click_context.exit(int(ExitCode.INTERNAL))


def _flush_stdout(click_context: click.Context) -> None:
    context = click_context.find_object(Context)
    if context is not None:
        context.environment.stdout.flush()


def _debug(click_context: click.Context) -> bool:
    context = click_context.find_object(Context)
    return bool(context and context.settings and context.settings.debug)


def _error_line(message: str) -> None:
    click.echo(message, err=True)


@click.group("newsarc", cls=NewsarcGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="newsarc")
@click.option("--archive", "archive_path", metavar="PATH",
              help="The archive folder (default: $NEWSARC_ARCHIVE, the config file, or the current folder).")
@click.option("--index", "index_path", metavar="FILE", help="Index database file (default: in the user cache).")
@click.option("--no-cache", is_flag=True, help="Keep the index in memory for this run only.")
@click.option("--fresh", type=click.Choice(FRESHNESS_CHOICES),
              help="full: stat every file (default); dirs: trust folder times, faster; none: use the index as is.")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", help="Colour output.")
@click.option("--no-pager", is_flag=True, help="Never page long output.")
@click.option("-q", "--quiet", is_flag=True, help="Silence notices.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) when the archive has problem files.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def cli(
    click_context: click.Context,
    archive_path: str | None,
    index_path: str | None,
    no_cache: bool,
    fresh: str | None,
    color: str,
    no_pager: bool,
    quiet: bool,
    strict: bool,
    debug: bool,
) -> None:
    """newsarc: list, filter, search, show and export a folder of news articles.

    A QUERY is words and qualifiers, such as: sensetime provider:scmp.com
    date:2021-11 -topic:robotics "exact phrase". `newsarc fields` lists them.
    A word starting with - excludes (-hsbc). The options below may also come
    after the command: newsarc list --color never.
    """
    environment = Environment.from_process()
    if isinstance(click_context.obj, Mapping):  # tests inject a terminal, a width, a clock
        environment = dataclasses.replace(environment, **click_context.obj)
    config = load_config(environment)
    settings = Settings(
        archive=archive_path or environment.variables.get("NEWSARC_ARCHIVE") or str(config.get("archive", ".")),
        index=index_path or environment.variables.get("NEWSARC_INDEX") or None,
        no_cache=no_cache,
        fresh=fresh or str(config.get("fresh", "full")),
        color=color,
        quiet=quiet,
        debug=debug,
        strict=strict,
        pager=not no_pager,
        default_limit=int(config.get("limit", 20)),
        saved_queries={str(k): str(v) for k, v in dict(config.get("queries", {})).items()},
    )
    if settings.fresh not in FRESHNESS_CHOICES:
        raise click.UsageError(f"config: fresh must be one of {', '.join(FRESHNESS_CHOICES)}")
    click_context.obj = Context(environment, settings)


pass_context = click.make_pass_decorator(Context)


QUERY_COMMAND = {"context_settings": {"ignore_unknown_options": True}}
LIST_COLUMNS = ("id", "date", "provider", "title", "topics")
LIST_COLUMN_CHOICES = ("id", "date", "provider", "domain", "title", "topics", "type", "quality", "heat", "path", "url")


@cli.command("list", **QUERY_COMMAND)
@query_options
@page_options
@output_options
@click.option("--fields", help=f"Columns to show, comma-separated (of {', '.join(LIST_COLUMN_CHOICES)}).")
@click.option("--format", "format_name", help="Write an export format instead (see `newsarc export --help`).")
@pass_context
@click.pass_context
def list_command(click_context: click.Context, context: Context, limit: int | None, offset: int, as_json: bool,
                 fields: str | None, format_name: str | None, **_: Any) -> None:
    """List articles, newest first.

    \b
    Examples:
      newsarc list
      newsarc list provider:scmp.com date:2021
      newsarc list --topic AI --since 2021-11 --json
    """
    query = build_query(context, _query_request(click_context.params))  # a typo shows before any refresh
    if format_name or as_json or not context.pretty:
        write = _listing_writer(context, format_name or "jsonl", fields)
        with open_archive(context) as archive:
            if write(archive, query, limit, offset) == 0:
                raise CommandExit(ExitCode.NO_MATCH)
        return
    columns = _parse_fields(fields, LIST_COLUMN_CHOICES) if fields else LIST_COLUMNS
    with open_archive(context) as archive:
        from ..render import article_table  # rich is imported only for people, not pipes

        page = archive.search(query, limit=_limit(context, limit, pretty=True), offset=offset)
        context.show(article_table(page, columns))
        if page.total == 0:
            raise CommandExit(ExitCode.NO_MATCH)


# `list --fields` names as CSV/TSV columns; the exporter's own column names pass as they are.
_CSV_COLUMNS = {"date": "published", "provider": "provider.name", "domain": "provider.domain"}


def _list_values() -> dict[str, Callable[[Any], Any]]:
    from ..records import iso_utc

    return {
        "id": lambda article: article.id,
        "date": lambda article: iso_utc(article.published) if article.published else None,
        "provider": lambda article: article.provider_name,
        "domain": lambda article: article.provider_domain,
        "title": lambda article: article.title,
        "topics": lambda article: list(article.topics),
        "type": lambda article: article.type,
        "quality": lambda article: article.quality,
        "heat": lambda article: article.heat,
        "path": lambda article: article.path,
        "url": lambda article: article.url,
    }


def _listing_writer(context: Context, format_name: str, fields: str | None) -> Callable[..., int]:
    """How `list` writes data: an export format, or with --fields only those columns (checked
    before the index is opened). The writer returns how many articles it wrote."""
    from ..exporters import ExportOptions, get
    from ..exporters.tabular import columns_for

    exporter = get(format_name)
    if fields is None:
        return lambda archive, query, limit, offset: _write_format(context, archive, query, exporter.name,
                                                                  limit, offset)
    if exporter.name == "jsonl":
        columns = _parse_fields(fields, LIST_COLUMN_CHOICES)
        values = _list_values()

        def write_records(archive: Any, query: Any, limit: int | None, offset: int) -> int:
            count = 0
            for article in archive.iter_articles(query, limit=limit, offset=offset):
                record = {name: values[name](article) for name in columns}
                context.write_data(json.dumps(record, ensure_ascii=False))
                count += 1
            return count

        return write_records
    if "fields" not in exporter.options:
        raise click.UsageError(f"--fields applies to the table, JSON Lines, csv and tsv, not {exporter.name}")
    names = tuple(_CSV_COLUMNS.get(name.strip(), name.strip()) for name in fields.split(",") if name.strip())
    options = ExportOptions(fields=names, now=context.environment.now)
    columns_for(options)  # an unknown column is reported now, not after the refresh
    return lambda archive, query, limit, offset: _write_format(context, archive, query, exporter.name, limit,
                                                              offset, options)


@cli.command(**QUERY_COMMAND)
@query_options
@page_options
@output_options
@click.option("--format", "format_name", help="Write an export format instead.")
@pass_context
@click.pass_context
def search(click_context: click.Context, context: Context, limit: int | None, offset: int, as_json: bool,
           format_name: str | None, **_: Any) -> None:
    """Search articles by keyword, best matches first, with highlighted snippets.

    \b
    Examples:
      newsarc search sensetime
      newsarc search '"facial recognition"' OR surveillance -provider:scmp.com
      newsarc search title:ipo date:2021-12-01..
    """
    from ..render import search_results

    request = _query_request(click_context.params)
    if not request.words:
        raise click.UsageError("search needs a QUERY, for example: newsarc search sensetime")
    query = build_query(context, request)
    with open_archive(context) as archive:
        if format_name or as_json or not context.pretty:
            count = _write_format(context, archive, query, format_name or "jsonl", limit, offset)
            if count == 0:
                context.notice(f"no articles match {' '.join(request.words)!r}")
                raise CommandExit(ExitCode.NO_MATCH)
            return
        page = archive.search(query, limit=_limit(context, limit, pretty=True), offset=offset)
        if page.total == 0:
            context._say(f"no articles match {' '.join(request.words)!r}")
            raise CommandExit(ExitCode.NO_MATCH)
        context.show(search_results(page))


@cli.command()
@click.argument("reference", metavar="ID|PATH|URL")
@output_options
@pass_context
def show(context: Context, reference: str, as_json: bool) -> None:
    """Show one article in full, with its related items.

    IDs accept any unique prefix, like git.

    \b
    Examples:
      newsarc show 3f2a9c1e
      newsarc show 2021/2021-12-11-us-adds-sensetime.md
    """
    from ..render import article_detail

    with open_archive(context) as archive:
        article = archive.get(reference)
        if as_json or not context.pretty:
            from ..records import json_record

            context.write_data(json.dumps(json_record(article), ensure_ascii=False))
            return
        context.show(article_detail(archive.related(article), context.environment.local_zone))


@cli.command()
@click.argument("reference", metavar="ID|PATH|URL")
@output_options
@pass_context
def related(context: Context, reference: str, as_json: bool) -> None:
    """The related items of one article, and the articles that list it as related."""
    from ..render import related_tree

    with open_archive(context) as archive:
        view = archive.related(archive.get(reference))
        if as_json or not context.pretty:
            for line in _related_records(view):
                context.write_data(json.dumps(line, ensure_ascii=False))
        else:
            context.show(related_tree(view))
        if not view.items and not view.linked_from:
            raise CommandExit(ExitCode.NO_MATCH)


def _related_records(view: Any) -> Iterator[dict[str, Any]]:
    from ..records import iso_utc

    for resolved in view.items:
        item = resolved.item
        yield {"relation": "related", "position": resolved.position, "title": item.title,
               "published": iso_utc(item.published) if item.published else None,
               "provider": item.provider_name, "url": item.url, "archive_id": resolved.article_id}
    for article in view.linked_from:
        yield {"relation": "linked_from", "title": article.title,
               "published": iso_utc(article.published) if article.published else None,
               "provider": article.provider_name, "url": article.url, "archive_id": article.id}


@cli.command(**QUERY_COMMAND)
@query_options
@output_options
@click.option("--by", "dimension", type=click.Choice(("provider", "domain", "topic", "month", "year", "type")),
              default="provider", show_default=True, help="What to count by.")
@click.option("--top", type=click.IntRange(min=1), help="Only the N largest (default 20 on a terminal).")
@pass_context
@click.pass_context
def stats(click_context: click.Context, context: Context, as_json: bool, dimension: str, top: int | None,
          **_: Any) -> None:
    """Counts of articles by provider, topic, month, year or type, with a monthly timeline."""
    from ..render import stats_view

    query = build_query(context, _query_request(click_context.params))
    with open_archive(context) as archive:
        pretty = context.pretty and not as_json
        if top is None and pretty and dimension not in ("month", "year"):
            top = 20
        result = archive.stats(query, dimension, top=top)
        if not pretty:
            for label, count in result.counts:
                context.write_data(json.dumps({dimension: label, "count": count}, ensure_ascii=False))
        else:
            context.show(stats_view(result))
        if result.total == 0:
            raise CommandExit(ExitCode.NO_MATCH)


@cli.command(**QUERY_COMMAND)
@query_options
@output_options
@pass_context
@click.pass_context
def dupes(click_context: click.Context, context: Context, as_json: bool, **_: Any) -> None:
    """Groups of articles that are the same story (same URL, or same provider and title)."""
    from ..render import duplicates_view

    query = build_query(context, _query_request(click_context.params))
    with open_archive(context) as archive:
        groups = archive.duplicates(query)
        if as_json or not context.pretty:
            for group in groups:
                context.write_data(json.dumps({
                    "reason": group.reason,
                    "articles": [{"id": a.id, "path": a.path, "title": a.title} for a in group.articles],
                }, ensure_ascii=False))
        else:
            context.show(duplicates_view(groups))
        if not groups:
            raise CommandExit(ExitCode.NO_MATCH)


@cli.command()
@output_options
@pass_context
def check(context: Context, as_json: bool) -> None:
    """Every file that could not be read as articles, as path:line: message.

    Exits 1 when any problem is found.
    """
    with open_archive(context, lists_problems=True) as archive:
        problems = archive.problems()
        for problem in problems:
            if as_json:
                context.write_data(json.dumps(dataclasses.asdict(problem), ensure_ascii=False))
            else:
                context.write_data(safe_line(str(problem)))
        articles, _ = archive.store.counts()
        files = len(set(problem.path for problem in problems))
        context.notice(f"{articles} articles, {len(problems)} problem(s) in {files} file(s)")
        if problems:
            raise CommandExit(ExitCode.PROBLEMS)


@cli.command()
@click.option("--rebuild", is_flag=True, help="Start the index over.")
@output_options
@pass_context
def index(context: Context, rebuild: bool, as_json: bool) -> None:
    """Refresh the index and report what changed (every command also refreshes)."""
    from ..render import index_report_view

    with open_archive(context, rebuild=rebuild, fresh=None if not rebuild else "full") as archive:
        report = archive.report
        if as_json:
            record = dataclasses.asdict(report) | {"index": archive.store.location}
            context.write_data(json.dumps(record))
        elif context.pretty:
            context.show(index_report_view(report, archive.store.location))
        else:
            context.notice(
                f"{report.added} added, {report.changed} changed, {report.removed} removed, "
                f"{report.articles} articles, {report.problems} problems, {report.seconds:.2f} s"
            )


@cli.command()
@output_options
@pass_context
def fields(context: Context, as_json: bool) -> None:
    """The fields a query can use, their types, and example values from this archive."""
    from ..query import fields_help
    from ..render import fields_view

    with open_archive(context) as archive:
        rows = [(entry.name, entry.type, entry.description, archive.field_examples(entry.name))
                for entry in fields_help()]
    if as_json or not context.pretty:
        for name, kind, meaning, examples in rows:
            context.write_data(json.dumps({"field": name, "type": kind, "meaning": meaning,
                                           "examples": examples}, ensure_ascii=False))
    else:
        context.show(fields_view(rows))


def _format_choice() -> click.Choice:
    from ..exporters import all_names

    return click.Choice(all_names(), case_sensitive=False)


@cli.command(**QUERY_COMMAND)
@query_options
@page_options
@click.option("--format", "-f", "format_name", type=_format_choice(), help="The export format (see above).")
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="A file (a folder for frontmatter); stdout when left out.")
@click.option("--force", is_flag=True, help="Overwrite an existing file, or write into a non-empty folder.")
@click.option("--fields", help="csv/tsv: columns to write, comma-separated, in order.")
@click.option("--group-by", type=click.Choice(("day", "provider", "topic")), default="day", show_default=True,
              help="markdown/html: how the digest is grouped.")
@click.option("--title", help="markdown/html: the digest's title.")
@click.option("--index-name", default="newsarc", show_default=True, help="opensearch: the index to load into.")
@click.option("--mapping", is_flag=True, help="opensearch: print the index mapping instead of articles.")
@click.option("--null", "-0", "null", is_flag=True,
              help="paths: each file once, its exact name ended by NUL (for xargs -0).")
@pass_context
@click.pass_context
def export(click_context: click.Context, context: Context, limit: int | None, offset: int,
           format_name: str | None, output: Path | None, force: bool, fields: str | None, group_by: str,
           title: str | None, index_name: str, mapping: bool, **_: Any) -> None:
    """Export the articles a query selects (all by default) in one of these formats:

    \b
      json         a JSON array of lossless article records
      jsonl        JSON Lines, one lossless record per line (ndjson)
      csv, tsv     a spreadsheet-safe table; --fields picks the columns
      markdown     a digest grouped by day, provider or topic (md)
      html         one self-contained page with a table of contents
      frontmatter  a folder of YYYY-MM-DD-slug.md files with YAML front matter
      opensearch   bulk-API NDJSON for OpenSearch/Elasticsearch (elasticsearch)
      paths        the file of each article, one per line, like rg -l

    \b
    Examples:
      newsarc export provider:scmp.com --format csv --output scmp.csv
      newsarc export date:2021 --format html --group-by topic -o 2021.html
      newsarc export --format opensearch --mapping > mapping.json
    """
    from ..exporters import ExportOptions, get
    from ..exporters.output import open_folder, open_output

    if mapping:
        from ..exporters.opensearch import mapping as index_mapping

        context.write_data(json.dumps(index_mapping(), indent=2))
        return
    if format_name is None:
        raise click.UsageError("export needs --format, for example: newsarc export --format jsonl")
    exporter = get(format_name)
    columns = tuple(name.strip() for name in fields.split(",") if name.strip()) if fields else None
    if columns and "fields" not in exporter.options:
        raise click.UsageError(f"--fields applies to csv and tsv, not {exporter.name}")
    null = bool(click_context.params.get("null"))
    if null and "null" not in exporter.options:
        raise click.UsageError(f"-0/--null applies to paths, not {exporter.name}")
    options = ExportOptions(fields=columns, group_by=group_by, now=context.environment.now, title=title,
                            index_name=index_name, null=null)
    query = build_query(context, _query_request(click_context.params))
    with open_archive(context) as archive:
        if exporter.writes_folder:
            if output is None:
                raise click.UsageError(f"format {exporter.name} writes a folder: add --output DIR")
            with open_folder(output, force=force, archive_root=archive.root) as folder:
                count = exporter.write(archive.iter_articles(query, limit=limit, offset=offset), folder, options)
        elif output is not None:
            with open_output(output, force=force, archive_root=archive.root) as stream:
                count = _write_format(context, archive, query, exporter.name, limit, offset, options, stream)
        else:
            count = _write_format(context, archive, query, exporter.name, limit, offset, options)
    if output is not None:
        context.notice(f"exported {count} article{'s' if count != 1 else ''} to {output}")
    if count == 0:
        raise CommandExit(ExitCode.NO_MATCH)


@cli.command("import")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--into", required=True, type=click.Path(path_type=Path), help="The archive folder to add to.")
@pass_context
def import_command(context: Context, sources: tuple[Path, ...], into: Path) -> None:
    """Turn JSON, JSON Lines, JSON pages or newsarc CSV into front-matter files in a folder.

    Importing the same source twice adds nothing: an article whose canonical URL and
    publication date match one already in the folder is skipped. Exits 1 when any
    record was rejected (each is listed on stderr with its reason).

    \b
    Example:
      newsarc import export.jsonl page-*.json --into ~/news
    """
    from ..importing import import_sources

    summary = import_sources(sources, into)
    for problem in summary.rejected:
        context.warn(f"rejected {problem}")
    context.notice(f"{summary.added} added, {summary.skipped} skipped, {len(summary.rejected)} rejected "
                   f"into {into}")
    if summary.rejected:
        raise CommandExit(ExitCode.PROBLEMS)


# --- output helpers --------------------------------------------------------------------


def _write_format(context: Context, archive: Any, query: Any, format_name: str, limit: int | None,
                  offset: int, options: Any = None, stream: TextIO | None = None) -> int:
    """Stream the matching articles in an export format (to stdout by default); returns how many."""
    from ..exporters import ExportOptions, get

    exporter = get(format_name)
    if exporter.writes_folder:
        raise click.UsageError(f"format {exporter.name} writes a folder: use `newsarc export --format "
                               f"{exporter.name} --output DIR`")
    if stream is None:
        stream = context.environment.stdout
        if context.environment.stdout_tty:  # a screen gets inert text; files and pipes the exact text
            stream = TerminalStream(stream)  # type: ignore[assignment]
    if exporter.name == "jsonl":
        # The index stores each article's interchange JSON: write it as it is, without
        # rebuilding articles (the same text the jsonl writer produces).
        count = 0
        for line in archive.iter_json_records(query, limit=limit, offset=offset):
            stream.write(line + "\n")
            count += 1
        return count
    if exporter.name == "paths":  # paths come straight from the index too
        from dataclasses import replace

        from ..exporters.paths import write_path_list

        terminal = isinstance(stream, TerminalStream)
        path_options = replace(options or ExportOptions(), terminal=terminal, root=archive.root)
        return write_path_list(archive.iter_paths(query, limit=limit, offset=offset), stream, path_options)
    articles = archive.iter_articles(query, limit=limit, offset=offset)
    return exporter.write(articles, stream, options or ExportOptions(now=context.environment.now))


def _parse_fields(text: str, choices: Sequence[str]) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in choices]
    if unknown or not names:
        raise click.BadParameter(f"unknown field {', '.join(unknown) or '(none)'}; choose from {', '.join(choices)}",
                                 param_hint="--fields")
    return names


# --- the one exit point ----------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run newsarc; returns the exit code instead of raising (tracebacks only with --debug)."""
    try:
        # Without standalone mode, click returns the code of `ctx.exit(code)` instead of raising.
        code = cli.main(args=list(sys.argv[1:] if argv is None else argv), prog_name="newsarc",
                        standalone_mode=False)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else int(ExitCode.OK)
    except click.exceptions.Abort:
        click.echo("newsarc: interrupted", err=True)
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as error:
        error.show()
        return int(ExitCode.USAGE)
    return code if isinstance(code, int) else int(ExitCode.OK)


def _silence_broken_pipe() -> None:
    """After `newsarc list | head`, stdout is gone: point it at /dev/null so exit is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
