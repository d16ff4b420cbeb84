"""The command line: options -> one request -> archive -> output.

The only package that imports click. `main(argv) -> int` runs a command (the console
script, `newsarc.launch:main`, calls it when no warm server takes the command); `cli`
is the click group.
"""

from __future__ import annotations

from .app import cli, main

__all__ = ["cli", "main"]
