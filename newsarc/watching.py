"""`newsarc watch`: keep an archive's index fresh as its files change.

On Linux the watcher listens to inotify (through inotify_simple: a thin ctypes
wrapper with no threads, which hands over the kernel's queue-overflow event as it
is) on every folder of the archive; each batch of events is followed by a refresh
(which re-reads only the files that changed), and new folders are watched before
a second look. Its heartbeat in the index (see `index/sqlite/heartbeat.py`) lets
other commands skip their walk while it runs and has applied every change; on an
overflowed queue it says so at once (commands walk again) and refreshes in full.

Where there are no events (no inotify, a failed watch, too many folders for the
watch limit) it polls: a full refresh every few seconds, with a heartbeat that
vouches for nothing, so commands keep walking.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import socket
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from .results import Heartbeat

if TYPE_CHECKING:
    from .archive import Archive
    from .results import RefreshReport

BEAT_SECONDS = 1.0
POLL_SECONDS = 2.0
# A burst (a copy of 10,000 files) is read for at most this long before one refresh.
BURST_SECONDS = 0.2


def _inotify() -> Any:
    """The inotify_simple module, or None where it (or inotify) is missing."""
    try:
        import inotify_simple
    except ImportError:
        return None
    return inotify_simple


class Watcher:
    """Keeps `archive`'s index fresh until `stop()` returns True (checked each beat)."""

    def __init__(self, archive: Archive, *, poll: bool = False,
                 on_refresh: Callable[[RefreshReport], None] | None = None,
                 on_error: Callable[[str], None] | None = None) -> None:
        self.archive = archive
        self.pid = os.getpid()
        self.host = socket.gethostname()
        self.on_refresh = on_refresh or (lambda report: None)
        self.on_error = on_error or (lambda message: None)
        self.inotify_module: Any = None if poll else _inotify()
        self.mode = "inotify" if self.inotify_module is not None else "poll"
        self.watched: dict[int, str] = {}

    def run(self, stop: Callable[[], bool] = lambda: False) -> None:
        with self._wake_pipe() as wake:
            try:
                if self.mode == "inotify" and self._listen(wake, stop):
                    return
                self.mode = "poll"
                self._poll(wake, stop)
            finally:
                with contextlib.suppress(Exception):
                    self.archive.end_watch(self.pid)

    # --- events -------------------------------------------------------------------------

    def _listen(self, wake: int, stop: Callable[[], bool]) -> bool:
        """Listen until `stop()` (True), or until events no longer suffice (False: poll)."""
        module = self.inotify_module
        with module.INotify() as inotify:
            if not self._settle(inotify):
                return False
            self._beat(drained=time.time())
            while not stop():
                select.select([inotify.fileno(), wake], [], [], BEAT_SECONDS)
                _drain(wake)
                drained = time.time()  # every change made before this is in the queue now
                events = inotify.read(timeout=0)
                if events:
                    events += self._rest_of_burst(inotify)
                    overflow = any(event.mask & module.flags.Q_OVERFLOW for event in events)
                    if overflow:
                        self._beat(drained=0.0, overflow=True)  # commands walk from now on
                        self.on_error("the event queue overflowed; refreshing in full")
                    if not self._settle(inotify):
                        return False
                self._beat(drained=drained)
        return True

    def _rest_of_burst(self, inotify: Any) -> list[Any]:
        events: list[Any] = []
        deadline = time.monotonic() + BURST_SECONDS
        while time.monotonic() < deadline:
            more = inotify.read(timeout=20)
            if not more:
                break
            events += more
        return events

    def _settle(self, inotify: Any) -> bool:
        """Refresh, watch any new folder, and refresh again until no folder is new (a
        file put in a new folder before its watch was added is found by the next walk).
        False when a folder cannot be watched: the watcher then polls."""
        while True:
            if not self._refresh():
                return True
            try:
                new = self._watch_folders(inotify)
            except OSError as error:
                self.on_error(f"cannot watch every folder ({error.strerror or error}); polling instead")
                return False
            if not new:
                return True

    def _watch_folders(self, inotify: Any) -> bool:
        flags = self.inotify_module.flags
        mask = (flags.CREATE | flags.DELETE | flags.MODIFY | flags.CLOSE_WRITE | flags.MOVED_FROM
                | flags.MOVED_TO | flags.ATTRIB | flags.DELETE_SELF | flags.MOVE_SELF)
        new = False
        for folder in self.archive.folders():
            descriptor = inotify.add_watch(os.path.join(self.archive.root, folder), mask)
            if descriptor not in self.watched:
                self.watched[descriptor] = folder
                new = True
        return new

    # --- polling ------------------------------------------------------------------------

    def _poll(self, wake: int, stop: Callable[[], bool]) -> None:
        while not stop():
            self._refresh()
            self._beat(drained=0.0)
            select.select([wake], [], [], POLL_SECONDS)
            _drain(wake)

    # --- both ---------------------------------------------------------------------------

    def _refresh(self) -> bool:
        try:
            report = self.archive.refresh(fresh="full", trust_watcher=False)
        except Exception as error:  # a locked or full index: say so, vouch for nothing, try again
            self.on_error(f"refresh failed: {error}")
            self._beat(drained=0.0, overflow=True)
            return False
        self.on_refresh(report)
        return True

    def _beat(self, *, drained: float, overflow: bool = False) -> None:
        with contextlib.suppress(Exception):
            self.archive.beat(Heartbeat(self.pid, self.host, self.mode, time.time(), overflow, drained))

    @contextlib.contextmanager
    def _wake_pipe(self) -> Iterator[int]:
        """A pipe that receives a byte whenever a command signals (SIGUSR1) for a handshake."""
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        os.set_blocking(write_end, False)
        sync = getattr(signal, "SIGUSR1", None)
        previous_handler = signal.signal(sync, lambda number, frame: None) if sync is not None else None
        previous_term = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as Ctrl-C does
        previous_fd = signal.set_wakeup_fd(write_end)
        try:
            yield read_end
        finally:
            signal.set_wakeup_fd(previous_fd)
            signal.signal(signal.SIGTERM, previous_term)
            if sync is not None:
                signal.signal(sync, previous_handler)
            os.close(read_end)
            os.close(write_end)


def _interrupt(number: int, frame: object) -> None:
    raise KeyboardInterrupt


def _drain(descriptor: int) -> None:
    with contextlib.suppress(BlockingIOError, InterruptedError):
        while os.read(descriptor, 4096):
            pass
