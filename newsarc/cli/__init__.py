"""The command line: options -> one request -> archive -> output.

The only package that imports click, and only where it is used: `piped.py` answers a
piped `search` or `list` without it. `main(argv) -> int` runs any command (the console
script, `newsarc.launch:main`, calls it when neither a warm server nor the piped path
takes the command); `cli` is the click group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def main(argv: Sequence[str] | None = None) -> int:
    """Run newsarc through click; returns the exit code (tracebacks only with --debug)."""
    from .app import main as run

    return run(argv)


def __getattr__(name: str) -> Any:
    # `newsarc.cli.cli`, the group, imports click only when asked for.
    if name == "cli":
        from .app import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["cli", "main"]
