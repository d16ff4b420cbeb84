"""The piped path: `search` and `list` written for a program, answered without click.

Importing click and declaring newsarc's commands with it costs a piped query about
40 ms of its start-up, more than its answer from an index that is fresh. A command
line of the shape scripts type, `newsarc [--archive P] [--index F] [--fresh MODE]
[-q] search|list WORD... [--limit N] [--json]` with standard output not a terminal,
is read here and run by the same functions the click commands call (`write_search`,
`write_listing`), ending the same way (`failures.exit_code_for`).

Anything else is declined before anything is written, and the click path runs it as
always: another option or command, an option typed twice or with `=`, a word
starting with `-` (an exclusion, or a typo of an option, which click reports), text
that is not clean UTF-8, a terminal, a closed standard stream, shell completion, or
settings that cannot be read.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NamedTuple

from ..errors import NewsarcError
from ..index import FRESHNESS_MODES
from .arguments import check_text
from .config import GlobalOptions, read_settings
from .environment import Context, Environment
from .exits import CommandExit, ExitCode
from .failures import exit_code_for
from .output import DATA_FORMAT, write_format, write_hits
from .queries import PageRequest, QueryRequest, build_query
from .session import open_archive
from .spelling import checked_query

if TYPE_CHECKING:
    from collections.abc import Sequence

COMMANDS = ("search", "list")
# Global options the piped path reads: those taking a value, and flags (by their field).
GLOBAL_VALUES = {"--archive": "archive_path", "--index": "index_path", "--fresh": "fresh"}
GLOBAL_FLAGS = {"--no-cache": "no_cache", "--no-pager": "no_pager", "-q": "quiet", "--quiet": "quiet",
                "--strict": "strict"}
LIMIT_OPTIONS = ("--limit", "-n")
COMPLETION_VARIABLE = "_NEWSARC_COMPLETE"


class PipedCommand(NamedTuple):
    """A command line the piped path takes."""

    options: GlobalOptions
    command: str
    query: QueryRequest
    page: PageRequest


def run_piped(argv: Sequence[str]) -> int | None:
    """The exit status of `argv` run without click, or None when it is left to click."""
    command = read_command(argv)
    # A closed standard stream, and shell completion (click reads its variable first).
    if command is None or sys.stdout is None or sys.stderr is None or COMPLETION_VARIABLE in os.environ:
        return None
    try:
        environment = Environment.from_process()
        if environment.stdout_tty:  # tables and colour for a person: rich, through click
            return None
        try:
            settings = read_settings(command.options, environment)
        except Exception:  # noqa: BLE001 - a config file that cannot be read: the click path tells it
            return None
        context = Context(environment, settings)
    except KeyboardInterrupt as error:
        return int(exit_code_for(error, debug=False) or ExitCode.INTERRUPTED)
    return _run(context, command)


def _run(context: Context, command: PipedCommand) -> int:
    environment = context.environment
    try:
        try:
            if command.command == "search":
                write_search(context, command.query, command.page)
            else:
                write_listing(context, command.query, command.page)
        finally:
            environment.stdout.flush()  # a full disk shows here, not as a traceback at exit
    except CommandExit as done:
        return int(done.code)
    except (Exception, KeyboardInterrupt) as error:
        code = exit_code_for(error, debug=False)
        if code is None:
            raise
        return int(code)
    return int(ExitCode.OK)


def read_command(argv: Sequence[str]) -> PipedCommand | None:
    """`argv` as a piped command, or None when it is not of the shape read here."""
    values: dict[str, str] = {}  # by GlobalOptions field, and "limit"
    flags: set[str] = set()
    command: str | None = None
    words: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if not _clean(token):
            return None
        if token in GLOBAL_VALUES or (command is not None and token in LIMIT_OPTIONS):
            value = next(tokens, None)
            name = GLOBAL_VALUES.get(token, "limit")
            if value is None or name in values or not _clean(value) or value.startswith("-"):
                return None
            values[name] = value
        elif token in GLOBAL_FLAGS:
            flags.add(GLOBAL_FLAGS[token])
        elif command is not None and token == "--json":
            continue  # piped, search and list write the same lines with or without it
        elif token.startswith("-"):
            return None
        elif command is None:
            if token not in COMMANDS:
                return None
            command = token
        else:
            words.append(token)
    limit, fresh = values.get("limit"), values.get("fresh")
    if command is None or (command == "search" and not words) or \
            (limit is not None and not (limit.isascii() and limit.isdigit())) or \
            (fresh is not None and fresh not in FRESHNESS_MODES):
        return None  # click's checks and messages for these
    options = GlobalOptions(
        archive_path=values.get("archive_path"), index_path=values.get("index_path"),
        no_cache="no_cache" in flags, fresh=fresh, color="auto", no_pager="no_pager" in flags,
        quiet="quiet" in flags, strict="strict" in flags, debug=False,
    )
    page = PageRequest(limit=None if limit is None else int(limit))
    return PipedCommand(options, command, QueryRequest(words=tuple(words)), page)


def _clean(token: str) -> bool:
    """Whether `token` is non-empty UTF-8 text without NUL (else click's check tells it)."""
    try:
        check_text(token, "the argument")
    except NewsarcError:
        return False
    return bool(token)


def write_search(context: Context, request: QueryRequest, page: PageRequest) -> None:
    """`search` piped or --json: each match's record with its `match` object, one a line."""
    query = build_query(context, request)
    with open_archive(context) as archive:
        query = checked_query(context, archive, query)
        if write_hits(context, archive, query, page) == 0:
            context.notice(f"no articles match {' '.join(request.words)!r}")
            raise CommandExit(ExitCode.NO_MATCH)


def write_listing(context: Context, request: QueryRequest, page: PageRequest) -> None:
    """`list` piped or --json: each match's JSON record, one a line, newest first."""
    from ..exporters import get

    query = build_query(context, request)  # a typo shows before any refresh
    with open_archive(context) as archive:
        query = checked_query(context, archive, query)
        if write_format(context, archive, query, get(DATA_FORMAT), page) == 0:
            raise CommandExit(ExitCode.NO_MATCH)
