#!/usr/bin/env python3
"""The PostgreSQL backend beside the SQLite backend on one generated archive: the cold
load, the warm latency of benchmarks/run.py's query set, and the throughput of eight
concurrent clients. Prints a Markdown section for docs/benchmarks.md.

    python benchmarks/postgres.py --archive /work/bench/100k [--url postgresql://...]

Without --url it starts a throwaway server (tests/pgserver.py) and removes it after.
The archive is only read. Every figure is a median of `--repeat` runs, in one run of
this script; the clients run `--fresh none` on both backends (the index as it is), so
the figures compare the indexes, not the walk of the folder.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

import run as run_benchmarks  # noqa: E402

NEWSARC = [sys.executable, "-m", "newsarc"]
QUERIES = [
    ("list provider", ["list", "--json", "provider:{provider}"]),
    ("list topic", ["list", "--json", "topic:{topic}"]),
    ("list date range", ["list", "--json", "date:2019-01..2019-06"]),
    ("search a rare word", ["search", "--format", "paths", "{rare}"]),
    ("search a common word", ["search", "--format", "paths", "{common}"]),
    ("search a phrase", ["search", "--format", "paths", "{phrase}"]),
    ("search a word, first page", ["search", "--limit", "20", "--json", "{common}"]),
    ("show ID", ["show", "--json", "{id}"]),
    ("stats --by provider", ["stats", "--by", "provider", "--json"]),
]


def timed(argv: list[str]) -> tuple[float, int, int]:
    started = time.perf_counter()
    finished = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              env={**os.environ, "NO_COLOR": "1"})
    return time.perf_counter() - started, finished.returncode, finished.stdout.count(b"\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, required=True)
    parser.add_argument("--url", help="a PostgreSQL database to use (emptied); default: a throwaway server")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3, help="query-set rounds per client")
    args = parser.parse_args()
    manifest_path = args.archive.with_name(args.archive.name + ".manifest.json")
    manifest = {"top_providers": [], "top_topics": [], "rare_words": [], "common_word": {"word": "cloud"},
                "phrase": {"phrase": "supply chain"}}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
    values = {key: shlex.split(value)[0] if value else value
              for key, value in run_benchmarks.placeholders(args.archive, manifest, Path("/tmp"),
                                                            run_benchmarks.available_tools()).items()}
    work = Path(tempfile.mkdtemp(prefix="newsarc-pg-bench-"))
    server = None
    url = args.url
    if url is None:
        from pgserver import Server, find_bindir

        bindir = find_bindir()
        if bindir is None:
            print("no PostgreSQL server binaries; pass --url", file=sys.stderr)
            return 2
        server = Server(bindir)
        server.init()
        url = server.new_database()
    backends = {"sqlite": str(work / "index.sqlite"), "postgres": url}
    results: dict[str, dict[str, Any]] = {name: {} for name in backends}
    load = [os.getloadavg()[0]]
    try:
        for name, index in backends.items():
            seconds, code, _ = timed([*NEWSARC, "--archive", str(args.archive), "--index", index,
                                      "index", "--rebuild"])
            results[name]["cold load"] = (seconds, code)
            print(f"{name}: cold load {seconds:.1f} s (exit {code})", file=sys.stderr)
        found = subprocess.run([*NEWSARC, "--archive", str(args.archive), "--index", backends["sqlite"],
                                "--fresh", "none", "list", "--limit", "1", "--fields", "id"],
                               capture_output=True, text=True)
        values["id"] = json.loads(found.stdout.splitlines()[0])["id"]
        for name, index in backends.items():
            base = [*NEWSARC, "--archive", str(args.archive), "--index", index, "--fresh", "none"]
            for label, template in QUERIES:
                argv = base + [part.format(**values) for part in template]
                runs = [timed(argv) for _ in range(args.repeat)]
                results[name][label] = (statistics.median(r[0] for r in runs), runs[0][1], runs[0][2])
                print(f"{name}: {label} {results[name][label]}", file=sys.stderr)
            # Throughput: `clients` processes at once, each running the query set `rounds` times.
            done: list[float] = []
            failures: list[int] = []
            lock = threading.Lock()

            def client(base: list[str] = base, done: list[float] = done, failures: list[int] = failures,
                       lock: threading.Lock = lock) -> None:
                for _ in range(args.rounds):
                    for _, template in QUERIES:
                        seconds, code, _ = timed(base + [part.format(**values) for part in template])
                        with lock:
                            if code in (0, 1):
                                done.append(seconds)
                            else:
                                failures.append(code)

            threads = [threading.Thread(target=client) for _ in range(args.clients)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.perf_counter() - started
            results[name]["throughput"] = (len(done) / elapsed, len(done), len(failures), elapsed)
            print(f"{name}: throughput {results[name]['throughput']}", file=sys.stderr)
        load.append(os.getloadavg()[0])
    finally:
        if server is not None:
            server.close()
        shutil.rmtree(work, ignore_errors=True)
    print(report(args, results, load))
    return 0


def report(args: argparse.Namespace, results: dict[str, dict[str, Any]], load: list[float]) -> str:
    sqlite, postgres = results["sqlite"], results["postgres"]
    lines = [
        f"Archive `{args.archive}`; `python benchmarks/postgres.py --archive {args.archive}` "
        f"(medians of {args.repeat} runs; load average {load[0]:.1f} at the start, "
        f"{load[-1]:.1f} at the end, on 2 cores shared with other work).",
        "",
        "| question | SQLite s | PostgreSQL s | PostgreSQL / SQLite | output lines |",
        "|---|---:|---:|---:|---:|",
    ]
    cold_s, cold_p = sqlite["cold load"][0], postgres["cold load"][0]
    lines.append(f"| cold load (`index --rebuild`) | {cold_s:.1f} | {cold_p:.1f} | {cold_p / cold_s:.2f} | |")
    for label, _ in QUERIES:
        s, p = sqlite[label], postgres[label]
        lines.append(f"| {label} | {s[0]:.3f} | {p[0]:.3f} | {p[0] / s[0]:.2f} | {s[2]} / {p[2]} |")
    ts, tp = sqlite["throughput"], postgres["throughput"]
    lines.append(f"| {args.clients} clients, queries per second | {ts[0]:.2f} | {tp[0]:.2f} | "
                 f"{tp[0] / ts[0]:.2f} | {ts[1]} / {tp[1]} answered, {ts[2]} / {tp[2]} failed |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
