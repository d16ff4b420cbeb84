"""CPU per file of one cold `newsarc index`, split between the main process and its workers.

    python benchmarks/build_cpu.py ARCHIVE INDEX [LABEL]

Builds INDEX (deleted first) from ARCHIVE in this process and prints wall time, CPU per
file of this process and of its worker processes (`resource.getrusage`), and peak
resident sizes. CPU time is steadier than wall time on a shared machine; run two
checkouts in turn (`PYTHONPATH=OTHER_CHECKOUT python benchmarks/build_cpu.py ...`) to
compare them.
"""

from __future__ import annotations

import os
import resource
import sys
import time

from newsarc.cli import main


def build(archive: str, index: str, label: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(index + suffix):
            os.unlink(index + suffix)
    started = time.perf_counter()
    main(["--archive", archive, "--index", index, "-q", "index"])
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    files = sum(len(names) for _, _, names in os.walk(archive))
    own_us = (own.ru_utime + own.ru_stime) * 1e6 / files
    workers_us = (workers.ru_utime + workers.ru_stime) * 1e6 / files
    return (f"{label}: {files} files, wall {wall:.1f} s; CPU per file: main {own_us:.0f} us, workers "
            f"{workers_us:.0f} us, total {own_us + workers_us:.0f} us; peak main {own.ru_maxrss // 1024} MB, "
            f"largest worker {workers.ru_maxrss // 1024} MB")


if __name__ == "__main__":
    print(build(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "build"))
