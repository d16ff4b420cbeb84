"""The stat results of many names in one folder, as one array of integers: what a walk
compares from run to run, made without a Python object per file to keep, and split
across processes when a folder holds many names.

A full refresh stats every file of the archive (an in-place edit changes nothing else
it could look at). One `os.stat` costs about 4 µs here, mostly in the kernel; threads
do not help (they queue on the interpreter lock between such short calls, and were
slower than one), forked processes do: two halve the time of 100,000 names.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
from array import array

FIELDS = 6
"""Integers per name: mode, size, mtime_ns, inode, ctime_ns, and the errno of a stat
that failed (0 when it worked; the other fields are then 0)."""

# Below this many names one process is faster than starting others (a fork costs a
# few milliseconds; 8,192 stats about 35).
PARALLEL_NAMES = 8192
MAX_PROCESSES = 4
_SIGNED_LIMIT = 1 << 63


def stat_names(descriptor: int, names: list[str]) -> array[int]:
    """`FIELDS` integers for each of `names` in the open folder `descriptor`, in order
    (following links, as opening the file would)."""
    processes = _processes() if len(names) >= PARALLEL_NAMES else 1
    if processes == 1:
        return _stat_all(descriptor, names)
    return _stat_forked(descriptor, names, processes)


def _processes() -> int:
    if not sys.platform.startswith("linux"):
        return 1  # fork is safe on Linux; elsewhere system libraries may hold locks
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return 1  # a fork copies only the calling thread: another's locks would stay held
    try:
        available = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        available = os.cpu_count() or 1
    return max(1, min(available, MAX_PROCESSES))


def _stat_all(descriptor: int, names: list[str]) -> array[int]:
    values: array[int] = array("q")
    add = values.extend
    stat = os.stat
    for name in names:
        try:
            found = stat(name, dir_fd=descriptor)
        except OSError as error:
            add((0, 0, 0, 0, 0, error.errno or -1))
            continue
        try:
            add((found.st_mode, found.st_size, found.st_mtime_ns, found.st_ino, found.st_ctime_ns, 0))
        except OverflowError:
            del values[len(values) - len(values) % FIELDS :]  # the fields added before the one too big
            # An inode number past 2**63 (some network file systems) is kept as its 64 bits;
            # a time past the year 2262 cannot be, and is a file that cannot be looked at.
            inode = found.st_ino - 2 * _SIGNED_LIMIT if found.st_ino >= _SIGNED_LIMIT else found.st_ino
            if max(abs(found.st_mtime_ns), abs(found.st_ctime_ns), found.st_size) < _SIGNED_LIMIT:
                add((found.st_mode, found.st_size, found.st_mtime_ns, inode, found.st_ctime_ns, 0))
            else:
                add((0, 0, 0, 0, 0, errno.EOVERFLOW))
    return values


def _stat_forked(descriptor: int, names: list[str], processes: int) -> array[int]:
    """The names in `processes` contiguous parts, all but the first stat'ed by forked
    children that send their array back through a pipe. A part whose child cannot be
    started, or fails, is stat'ed here, so the result never depends on the children."""
    size = -(-len(names) // processes)
    children: list[tuple[int, int, int]] = []  # pid, pipe to read, first name
    local: list[int] = []  # the first name of each part no child could take
    try:
        for start in range(size, len(names), size):
            if not _fork_part(descriptor, names[start : start + size], start, children):
                local.append(start)
        values = _stat_all(descriptor, names[:size])
        for start in range(size, len(names), size):
            part = names[start : start + size]
            if start in local:
                values.extend(_stat_all(descriptor, part))
                continue
            pid, pipe, _ = children[0]
            with open(pipe, "rb", closefd=False) as reader:
                data = reader.read()
            _, status = os.waitpid(pid, 0)
            children.pop(0)  # reaped: never signalled again (its pid may be another's now)
            os.close(pipe)
            if status == 0 and len(data) == len(part) * FIELDS * values.itemsize:
                values.frombytes(data)
            else:
                values.extend(_stat_all(descriptor, part))
        return values
    finally:
        for pid, pipe, _ in children:  # interrupted (Ctrl-C): no child outlives the walk
            with contextlib.suppress(OSError):
                os.close(pipe)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)


_BLOCKED = {signal.SIGINT, signal.SIGTERM}


def _fork_part(descriptor: int, part: list[str], start: int, children: list[tuple[int, int, int]]) -> bool:
    """Start a child stating `part` and add it to `children`; False when none can be
    started (a pids limit, no memory, no descriptor left): the caller stats it itself.
    Interrupts wait until the child is in `children`, so none is left behind, and none
    ever runs the parent's code in the child."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKED)
    try:
        try:
            reader, writer = os.pipe()
        except OSError:
            return False
        try:
            pid = os.fork()
        except OSError:
            os.close(reader)
            os.close(writer)
            return False
        if pid == 0:
            status = 1
            try:
                signal.set_wakeup_fd(-1)  # the watcher's, in the parent
                for number in _BLOCKED:
                    signal.signal(number, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
                os.close(reader)
                with open(writer, "wb") as out:
                    out.write(_stat_all(descriptor, part).tobytes())
                status = 0
            finally:
                os._exit(status)  # never the parent's exit handlers, buffers or connections
        os.close(writer)
        children.append((pid, reader, start))
        return True
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
