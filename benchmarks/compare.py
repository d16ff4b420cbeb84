"""Two installs of newsarc timed on the same command line, interleaved.

    python benchmarks/compare.py OLD/bin/newsarc NEW/bin/newsarc -- \
        --archive A --index I --fresh none search sensetime

Runs each program once untimed, then ROUNDS rounds of both back to back, alternating
which goes first, so a machine that slows down slows both alike. Prints each side's
median wall time and the median of the rounds' ratios (new / old). Standard output is
piped, as a script reads it; both sides must read the same index and archive.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time


def timed(program: str, arguments: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([program, *arguments], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help="after --: the command line of both")
    parser.add_argument("--rounds", type=int, default=15)
    options = parser.parse_args()
    arguments = options.arguments[1:] if options.arguments[:1] == ["--"] else options.arguments
    timed(options.old, arguments)
    timed(options.new, arguments)
    old: list[float] = []
    new: list[float] = []
    for round_number in range(options.rounds):
        if round_number % 2:
            old.append(timed(options.old, arguments))
            new.append(timed(options.new, arguments))
        else:
            new.append(timed(options.new, arguments))
            old.append(timed(options.old, arguments))
    ratios = [after / before for before, after in zip(old, new, strict=True)]
    print(f"old {statistics.median(old) * 1000:.1f} ms, new {statistics.median(new) * 1000:.1f} ms, "
          f"new / old {statistics.median(ratios):.2f} (median of {options.rounds} rounds)")


if __name__ == "__main__":
    main()
