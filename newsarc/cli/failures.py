"""The one mapping from errors to exit codes, and the one line on stderr that tells each.

Without click: the piped path (`piped.py`) answers `search` and `list` without
importing it, and ends the same way the click group does.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from ..errors import AmbiguousError, NewsarcError, NotFoundError
from ..textsafe import safe_line
from .exits import ExitCode


def exit_code_for(error: BaseException, *, debug: bool) -> ExitCode | None:
    """Tell `error` in one line on stderr and return the exit code it ends newsarc with;
    None when it should be raised instead (with --debug, for a traceback)."""
    if isinstance(error, AmbiguousError):
        error_line(f"newsarc: error: {safe_line(str(error))}")
        return ExitCode.USAGE
    if isinstance(error, NotFoundError):
        error_line(f"newsarc: {safe_line(str(error))}")
        return ExitCode.NO_MATCH
    if isinstance(error, NewsarcError):
        if debug:
            return None
        error_line(f"newsarc: error: {safe_line(str(error))}")
        return ExitCode.USAGE
    if isinstance(error, BrokenPipeError):
        silence_broken_pipe()
        return ExitCode.OK
    if isinstance(error, KeyboardInterrupt):
        error_line("newsarc: interrupted")
        return ExitCode.INTERRUPTED
    if debug:
        return None
    if isinstance(error, OSError):
        # Reading and the index report their own errors; what is left is writing the answer.
        silence_broken_pipe()
        where = safe_line(os.fsdecode(error.filename)) if error.filename else "cannot write the output"
        error_line(f"newsarc: error: {where}: {error.strerror or error}")
        return ExitCode.USAGE
    # The last line of defence: one line, no traceback.
    error_line(f"newsarc: internal error: {safe_line(repr(error))} (run with --debug for details)")
    return ExitCode.INTERNAL


def error_line(message: str, stream: TextIO | None = None) -> None:
    """`message` and a newline on `stream` (stderr as it is now: tests swap it), flushed
    at once, as `click.echo` writes it; nothing when there is no stderr."""
    stream = sys.stderr if stream is None else stream
    if stream is None:
        return
    stream.write(message + "\n")
    stream.flush()


def silence_broken_pipe() -> None:
    """After `newsarc list | head`, stdout is gone: point it at /dev/null so exit is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
