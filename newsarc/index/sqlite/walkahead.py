"""A full refresh's walk started ahead of the question it guards.

A full refresh of an unchanged archive costs one `stat` per file and ends when the
walk's fingerprint is the one stored with the index. Waiting for that before asking
the question leaves a core idle for the length of the question; instead, the walk runs
in a forked child while this process answers from the index, and the answer is kept
only when the child's fingerprint is the stored one. Everything answered meanwhile is
read in the one read transaction that read that fingerprint, so it is the index the
walk vouched for, even if another newsarc commits a refresh in between.
"""

from __future__ import annotations

import sqlite3
from functools import partial
from pathlib import Path

from ...forked import Child, can_fork
from . import heartbeat

AHEAD_FILES = 2000
"""Below this many files a walk costs less than starting a process for it."""


class WalkAhead:
    """A walk running in a child, and the fingerprint it must find for the index to hold."""

    def __init__(self, connection: sqlite3.Connection, stored: bytes, child: Child) -> None:
        self.connection = connection
        self.stored = stored
        self.child = child

    def holds(self) -> bool:
        """Wait for the walk: True when it found the archive the index was made from."""
        found = self.child.result()
        return found is not None and found == self.stored

    def stop(self) -> None:
        self.child.stop()


def start(connection: sqlite3.Connection, root: Path) -> WalkAhead | None:
    """The walk started in a child, with a read transaction begun on `connection`; None
    (and no transaction) when a refresh cannot end at the fingerprint anyway (an index
    not filled, or without one), the archive is small, a watcher keeps the index, or no
    child can start."""
    if not can_fork() or heartbeat.watching(connection):
        return None  # with a watcher, its handshake answers sooner than a walk
    connection.execute("BEGIN")
    started: WalkAhead | None = None
    try:
        files, stored, listings = connection.execute(
            "SELECT (SELECT value FROM meta WHERE key = 'files'), "
            "(SELECT value FROM meta WHERE key = 'fingerprint'), "
            "(SELECT value FROM meta WHERE key = 'listings')").fetchone()
        if files is None or int(files) < AHEAD_FILES or not isinstance(stored, bytes):
            return None
        child = Child.start(partial(_fingerprint, root, listings))
        if child is not None:
            started = WalkAhead(connection, stored, child)
        return started
    finally:
        if started is None:
            connection.execute("COMMIT")


def _fingerprint(root: Path, listings: object) -> bytes:
    """In the child: the fingerprint of a walk of `root` (empty when it cannot vouch)."""
    from ...parsing.walk import stat_walk
    from .listings import decode_listings

    return stat_walk(root, decode_listings(listings)).fingerprint() or b""
