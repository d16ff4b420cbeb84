"""The group, `main(argv) -> int`, and the one mapping from errors to exit codes.

`NewsarcGroup` sorts the command line (arguments.py) before click reads it, and
turns newsarc's typed errors into one line on stderr and a named exit code.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

from .. import __version__
from ..errors import NewsarcError
from ..slotted import replace
from ..textsafe import safe_line
from .arguments import ArgumentError, OptionTable, locate_command, sort_arguments
from .choices import LibraryChoice, freshness_modes
from .config import GlobalOptions, read_settings
from .environment import COLOR_CHOICES, Context, Environment
from .exits import CommandExit, ExitCode
from .failures import error_line, exit_code_for
from .options import NewsarcCommand, builds, check_parameters


class UsageLine(click.UsageError):
    """A usage error shown as one line, `newsarc: error: ...`, exit 2 (not click's usage block)."""

    def show(self, file: Any = None) -> None:
        error_line(f"newsarc: error: {safe_line(self.message)}")


def _usage_line(error: click.UsageError) -> click.UsageError:
    if isinstance(error, (UsageLine, click.exceptions.NoArgsIsHelpError)):
        return error
    command = error.ctx.command_path if error.ctx is not None else "newsarc"
    return UsageLine(f"{error.format_message().rstrip('.')} (see `{command} --help`)", ctx=error.ctx)


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


# Which module defines each command: a command's module is imported when the command
# is looked up, so `newsarc search` never loads the definitions of export or stats.
COMMAND_MODULES = {
    "list": "browse", "search": "browse", "show": "browse", "related": "browse",
    "stats": "report", "dupes": "report", "fields": "report", "check": "report", "index": "report",
    "export": "transfer", "import": "transfer", "watch": "watch",
}  # fmt: skip


class NewsarcGroup(click.Group):
    """Sorts the command line (arguments.py), and turns newsarc's typed errors into one
    line on stderr and a named exit code."""

    command_class = NewsarcCommand

    def list_commands(self, click_context: click.Context) -> list[str]:
        return sorted(set(self.commands) | set(COMMAND_MODULES))

    def get_command(self, click_context: click.Context, name: str) -> click.Command | None:
        if name not in self.commands and name in COMMAND_MODULES:
            module = importlib.import_module(f"{__package__}.{COMMAND_MODULES[name]}")
            for command in module.COMMANDS:
                self.add_command(command)
        return self.commands.get(name)

    def parse_args(self, click_context: click.Context, args: list[str]) -> list[str]:
        try:
            args = self._sorted(click_context, args)
            rest = super().parse_args(click_context, args)
            if not click_context.resilient_parsing:
                check_parameters(click_context)
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
        except click.exceptions.Exit:
            raise
        except click.UsageError as error:
            raise _usage_line(error) from None
        except (click.ClickException, click.exceptions.Abort):
            raise
        except (Exception, KeyboardInterrupt) as error:
            code = exit_code_for(error, debug=_debug(click_context))
            if code is None:
                raise
            click_context.exit(int(code))


def _flush_stdout(click_context: click.Context) -> None:
    context = click_context.find_object(Context)
    if context is not None:
        context.environment.stdout.flush()


def _debug(click_context: click.Context) -> bool:
    context = click_context.find_object(Context)
    return bool(context and context.settings and context.settings.debug)


@click.group("newsarc", cls=NewsarcGroup,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="newsarc")
@click.option("--archive", "archive_path", metavar="PATH",
              help="The archive folder (default: $NEWSARC_ARCHIVE, the config file, or the current folder).")
@click.option("--index", "index_path", metavar="FILE",
              help="Index database file, or a postgresql:// URL (default: a file in the user cache).")
@click.option("--no-cache", is_flag=True, help="Keep the index in memory for this run only.")
@click.option("--fresh", type=LibraryChoice(freshness_modes),
              help="full: stat every file (default); dirs: trust folder times, faster; "
                   "none: use the index as is.")
@click.option("--color", type=click.Choice(COLOR_CHOICES), default="auto", help="Colour output.")
@click.option("--no-pager", is_flag=True, help="Never page long output.")
@click.option("-q", "--quiet", is_flag=True, help="Silence notices.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) when the archive has problem files.")
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@builds(GlobalOptions)
@click.pass_context
def cli(click_context: click.Context, options: GlobalOptions) -> None:
    """newsarc: list, filter, search, show and export a folder of news articles.

    A QUERY is words and qualifiers, such as: sensetime provider:scmp.com
    date:2021-11 -topic:robotics "exact phrase". `newsarc fields` lists them.
    A word starting with - excludes (-hsbc). The options below may also come
    after the command: newsarc list --color never.
    """
    environment = Environment.from_process()
    if isinstance(click_context.obj, Mapping):  # tests inject a terminal, a width, a clock
        environment = replace(environment, **click_context.obj)
    click_context.obj = Context(environment, read_settings(options, environment))


def main(argv: Sequence[str] | None = None) -> int:
    """Run newsarc; returns the exit code instead of raising (tracebacks only with --debug)."""
    try:
        # Without standalone mode, click returns the code of `ctx.exit(code)` instead of raising.
        code = cli.main(args=list(sys.argv[1:] if argv is None else argv), prog_name="newsarc",
                        standalone_mode=False)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else int(ExitCode.OK)
    except click.exceptions.Abort:
        error_line("newsarc: interrupted")
        return int(ExitCode.INTERRUPTED)
    except click.ClickException as error:
        error.show()
        return int(ExitCode.USAGE)
    return code if isinstance(code, int) else int(ExitCode.OK)
