"""The command line: options -> one request -> archive -> output.

The only package that imports click. `main(argv) -> int` is the console script
(`newsarc = "newsarc.cli:main"`) and `python -m newsarc`; `cli` is the click group.
"""

from __future__ import annotations

from .app import cli, main

__all__ = ["cli", "main"]
