"""A function run in a forked child process, its bytes sent back through a pipe: how
the walk stats a big folder on several cores, and starts ahead of a question."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable


def can_fork() -> bool:
    """True where a forked child can safely run Python code of this process: Linux
    (elsewhere system libraries may hold locks across a fork), with no other thread
    running (a fork copies only the calling thread: another's locks would stay held)."""
    if not sys.platform.startswith("linux"):
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() <= 1


_BLOCKED = {signal.SIGINT, signal.SIGTERM}

_forked = False
"""True in a child: the children it starts stay in its process group, so that stopping
it stops them too (the walk ahead stats a big folder in children of its own)."""


class Child:
    """A forked child process running one function whose bytes come back through a pipe."""

    def __init__(self, pid: int, pipe: int, group: bool) -> None:
        self.pid: int | None = pid
        self.pipe = pipe
        self.group = group  # the child leads a process group of its own and its children

    @classmethod
    def start(cls, work: Callable[[], bytes]) -> Child | None:
        """A child running `work`; None when none can be started (a pids limit, no
        memory, no descriptor left): the caller then does the work itself. Interrupts
        wait until the child is recorded, so none is left behind, and none ever runs
        the parent's code in the child."""
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKED)
        try:
            try:
                reader, writer = os.pipe()
            except OSError:
                return None
            try:
                pid = os.fork()
            except OSError:
                os.close(reader)
                os.close(writer)
                return None
            if pid == 0:
                status = 1
                try:
                    _lead_group()
                    signal.set_wakeup_fd(-1)  # the watcher's, in the parent
                    for number in _BLOCKED:
                        signal.signal(number, signal.SIG_DFL)
                    signal.pthread_sigmask(signal.SIG_SETMASK, previous)
                    os.close(reader)
                    with open(writer, "wb") as out:
                        out.write(work())
                    status = 0
                finally:
                    os._exit(status)  # never the parent's exit handlers, buffers or connections
            os.close(writer)
            if not _forked:  # here as well as in the child: whichever runs first, the group exists now
                with contextlib.suppress(OSError):
                    os.setpgid(pid, pid)
            return cls(pid, reader, group=not _forked)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    def result(self) -> bytes | None:
        """What the child wrote, once it has ended; None when it failed."""
        assert self.pid is not None
        with open(self.pipe, "rb", closefd=False) as reader:
            data = reader.read()
        _, status = os.waitpid(self.pid, 0)
        self.pid = None  # reaped: never signalled again (its pid may be another's now)
        os.close(self.pipe)
        return data if status == 0 else None

    def stop(self) -> None:
        """Kill and reap the child if it still runs (nothing when its result was taken)."""
        if self.pid is None:
            return
        pid, self.pid = self.pid, None
        with contextlib.suppress(OSError):
            os.close(self.pipe)
        with contextlib.suppress(OSError):
            if self.group:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)  # with the children it started
            os.kill(pid, signal.SIGKILL)  # (the group's leader is a zombie by now: nothing)
            os.waitpid(pid, 0)


def _lead_group() -> None:
    """In a new child: lead a process group, unless this is a child's child (which stays
    in its parent's group). Signals from the terminal then reach only newsarc itself,
    which stops its children as it ends."""
    global _forked
    if not _forked:
        with contextlib.suppress(OSError):
            os.setpgid(0, 0)
    _forked = True
