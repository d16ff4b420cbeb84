"""The process as a command sees it: streams, terminal, clock, colour and pager policy.

Pretty or plain is decided here, once: tables and colour for a terminal, data for a
pipe; NO_COLOR, FORCE_COLOR, TERM=dumb and --color are honoured.
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone, tzinfo
from typing import TYPE_CHECKING, TextIO

from ..slotted import Record
from ..textsafe import safe_line
from .failures import error_line

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from .config import Settings

COLOR_CHOICES = ("auto", "always", "never")


class Environment(Record):
    """Everything a command reads from the process, injectable for tests."""

    __slots__ = ("stdout", "stderr", "stdout_tty", "stderr_tty", "variables", "now", "local_zone", "width",
                 "height")

    def __init__(self, stdout: TextIO, stderr: TextIO, stdout_tty: bool, stderr_tty: bool,
                 variables: Mapping[str, str], now: datetime, local_zone: tzinfo | None = None,
                 width: int | None = None, height: int | None = None) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.stdout_tty = stdout_tty
        self.stderr_tty = stderr_tty
        self.variables = variables
        self.now = now
        self.local_zone = local_zone
        self.width = width
        self.height = height

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


class Context(Record):
    __slots__ = ("environment", "settings", "__dict__")  # a __dict__ for the cached_property

    def __init__(self, environment: Environment, settings: Settings | None = None) -> None:
        self.environment = environment
        self.settings = settings

    @functools.cached_property
    def color(self) -> bool:
        return _wants_color(self.settings.color if self.settings else "auto", self.environment)

    def console(self, *, stderr: bool = False) -> Console:
        from rich.console import Console

        environment = self.environment
        stream = environment.stderr if stderr else environment.stdout
        is_tty = environment.stderr_tty if stderr else environment.stdout_tty
        forced = self.color and self.settings is not None and self.settings.color == "always"
        width = environment.width or _env_int(environment.variables, "COLUMNS") or (None if is_tty else 100)
        return Console(
            file=stream,
            force_terminal=is_tty or forced,
            no_color=not self.color,
            color_system="auto" if self.color else None,
            width=width,
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
            self.say(message)

    def warn(self, message: str) -> None:
        self.say(f"warning: {message}")

    def say(self, message: str) -> None:
        """One line on stderr, even with --quiet."""
        error_line(f"newsarc: {safe_line(message)}", self.environment.stderr)

    def write_data(self, line: str) -> None:
        self.environment.stdout.write(line + "\n")

    def show(self, renderable: RenderableType) -> None:
        """Print a renderable to stdout, through a pager when it is taller than the screen."""
        console = self.console()
        if self._use_pager(console, renderable):
            with _pager_variables(self.environment.variables), console.pager(styles=self.color):
                console.print(renderable)
        else:
            console.print(renderable)

    def _use_pager(self, console: Console, renderable: RenderableType) -> bool:
        if not (self.pretty and self.settings is not None and self.settings.pager):
            return False
        if not self.environment.stdout.isatty():  # injected test streams never page
            return False
        if _reported_rows(self.environment.stdout) <= 0:
            # A terminal that reports no size (`script`, some CI and IDE terminals): less
            # could not tell that a short answer fits, and would wait for a key.
            return False
        lines = console.render_lines(renderable, console.options, pad=False)
        return len(lines) > console.size.height - 2


def _reported_rows(stream: TextIO) -> int:
    """The rows the terminal behind `stream` reports, 0 when it reports none."""
    try:
        return os.get_terminal_size(stream.fileno()).lines
    except (OSError, ValueError, AttributeError):
        return 0


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
