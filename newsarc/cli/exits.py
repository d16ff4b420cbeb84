"""Named exit codes, and the exception a command raises to end with one."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    NO_MATCH = 1
    PROBLEMS = 1
    USAGE = 2
    INTERNAL = 70
    INTERRUPTED = 130


class CommandExit(Exception):
    """Raised by a command to end with a code after its output is written."""

    def __init__(self, code: ExitCode) -> None:
        super().__init__(int(code))
        self.code = code
