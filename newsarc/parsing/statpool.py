"""The stat results of many names in one folder, as one array of integers: what a walk
compares from run to run, made without a Python object per file to keep, and split
across processes when a folder holds many names.

A full refresh stats every file of the archive (an in-place edit changes nothing else
it could look at). One `os.stat` costs about 4 µs here, mostly in the kernel; threads
do not help (they queue on the interpreter lock between such short calls, and were
slower than one), forked processes do: two halve the time of 100,000 names.
"""

from __future__ import annotations

import errno
import os
from array import array
from functools import partial

from ..forked import Child, can_fork

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
    if not can_fork():
        return 1
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


def _stat_bytes(descriptor: int, names: list[str]) -> bytes:
    return _stat_all(descriptor, names).tobytes()


def _stat_forked(descriptor: int, names: list[str], processes: int) -> array[int]:
    """The names in `processes` contiguous parts, all but the first stat'ed by forked
    children that send their array back through a pipe. A part whose child cannot be
    started, or fails, is stat'ed here, so the result never depends on the children."""
    size = -(-len(names) // processes)
    children: dict[int, Child | None] = {}  # first name of a part -> its child (None: none started)
    try:
        for start in range(size, len(names), size):
            part = names[start : start + size]
            children[start] = Child.start(partial(_stat_bytes, descriptor, part))
        values = _stat_all(descriptor, names[:size])
        for start, child in children.items():
            part = names[start : start + size]
            data = child.result() if child is not None else None
            if data is not None and len(data) == len(part) * FIELDS * values.itemsize:
                values.frombytes(data)
            else:
                values.extend(_stat_all(descriptor, part))
        return values
    finally:
        for child in children.values():  # interrupted (Ctrl-C): no child outlives the walk
            if child is not None:
                child.stop()
