"""The watcher's heartbeat in the index, and whether a command may trust it.

`newsarc watch` keeps one row in `meta` (key "watcher", JSON): its pid and host,
how it hears of changes ("inotify" or "poll"), when it last beat, whether its event
queue overflowed, and `drained`: when it last began reading every queued event
(after which it applied them and only then wrote the row).

A command skips its walk only after a handshake: it notes the time, signals the
watcher (SIGUSR1), and waits until the row says the watcher began draining after
that time. The kernel queues a change's event before the call that made it returns,
so every change made before the command started is then in the index. Anything
else (no row, a stale beat, an overflow, another host, a dead or foreign pid, a
poll-mode watcher, no answer within a second) and the command walks as it would
without a watcher.
"""

from __future__ import annotations

import json
import os
import signal
import time
from typing import TYPE_CHECKING

from ...results import Heartbeat
from ...slotted import as_dict
from .schema import meta, set_meta, write_transaction

if TYPE_CHECKING:
    import sqlite3

KEY = "watcher"
# A watcher beats at least this often; a beat older than STALE_SECONDS is a dead one.
BEAT_SECONDS = 1.0
STALE_SECONDS = 3.0
# How long a command waits for the watcher to drain its events before it walks.
HANDSHAKE_SECONDS = 1.0
SYNC_SIGNAL = getattr(signal, "SIGUSR1", None)


def write(connection: sqlite3.Connection, heartbeat: Heartbeat) -> None:
    with write_transaction(connection):
        set_meta(connection, KEY, json.dumps(as_dict(heartbeat)))


def clear(connection: sqlite3.Connection, pid: int) -> None:
    """Remove the heartbeat of the watcher `pid` (not a newer watcher's)."""
    with write_transaction(connection):
        current = read(connection)
        if current is not None and current.pid == pid:
            connection.execute("DELETE FROM meta WHERE key = ?", (KEY,))


def read(connection: sqlite3.Connection) -> Heartbeat | None:
    stored = meta(connection, KEY)
    if not isinstance(stored, str):
        return None
    try:
        return Heartbeat(**json.loads(stored))
    except (ValueError, TypeError):
        return None


def vouches(connection: sqlite3.Connection) -> bool:
    """True when a live watcher on this host has applied every change made before now."""
    heartbeat = read(connection)
    if not _alive(heartbeat) or SYNC_SIGNAL is None:
        return False
    assert heartbeat is not None
    asked = time.time()
    try:
        os.kill(heartbeat.pid, SYNC_SIGNAL)
    except OSError:
        return False
    deadline = time.monotonic() + HANDSHAKE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.003)
        answer = read(connection)
        if answer is None or answer.pid != heartbeat.pid or answer.overflow:
            return False
        if answer.drained > asked:
            return True
    return False


def watching(connection: sqlite3.Connection) -> bool:
    """True when a live watcher on this host keeps the index (whether it has applied
    every change yet is what `vouches` asks it)."""
    return _alive(read(connection))


def _alive(heartbeat: Heartbeat | None) -> bool:
    if heartbeat is None or heartbeat.mode != "inotify" or heartbeat.overflow:
        return False
    if heartbeat.host != host_name() or time.time() - heartbeat.beat > STALE_SECONDS:
        return False
    # The pid must still be a newsarc watcher: a signal to whatever reused it would end it.
    try:
        with open(f"/proc/{heartbeat.pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().split(b"\0")
    except OSError:
        return False
    return b"watch" in words and any(b"newsarc" in word for word in words)


def host_name() -> str:
    """This machine's name, as a heartbeat records it (the `uname` node name that
    `socket.gethostname` returns on POSIX, without importing socket for every command)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()
