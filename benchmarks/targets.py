"""Issue 14's freshness targets as ratios, measured in one run of interleaved pairs.

    python benchmarks/targets.py --archive /work/bench/100k --index /tmp/100k.sqlite
    python benchmarks/targets.py ... --runs 7 --report docs/benchmarks.md   # writes its marked region
    python benchmarks/run.py --targets ARCHIVE --targets-index FILE          # the same, from run.py

The archive is only read (a generated one: `benchmarks/generate.py`); the index is
built first when it is empty (untimed). Each round runs every pair once, the two
sides back to back and in alternating order, so a machine that slows down slows
both sides of a pair alike; the ratio of a pair is newsarc's time over its
reference's, and the report gives the median of the rounds' ratios next to each
side's median time and newsarc's peak resident size (GNU time's %M).

The pairs (newsarc's output is piped, as a script would read it):
- full freshness: `search WORD --limit 20`, `list WORD --limit 20`, `show ID` and
  `stats` against `rg -l -i WORD` over the same folder (target <= 1.0, peak < 100 MB);
- `--fresh none` and `--fresh dirs` search against a Python process that opens the
  index and runs the same FTS5 MATCH (target <= 2.5);
- full-freshness search while `newsarc watch` runs, against rg (target <= 0.3).

Beside the pairs, newsarc's own import time (target < 40 ms): the sum of the *self*
times `python -X importtime` reports for the modules `newsarc` and `newsarc.*` (not
click, the standard library or the editable-install finder), for `--fresh none search
WORD --limit 20 --json` on the same index, median of the rounds. Self time is what a
module's own body costs (its dataclasses, its regexes, finding and loading it), so
the sum counts each module once, and an import the command does not need still shows.

Every run may write bytecode (PYTHONDONTWRITEBYTECODE is dropped for them), as a
pip-installed newsarc has it: otherwise each run would time the compiler.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent
GNU_TIME = "/usr/bin/time"
BEGIN = "<!-- targets: begin (written by benchmarks/targets.py; edit outside these marks) -->"
END = "<!-- targets: end -->"

# The reference for --fresh none/dirs: only what any program answering from this
# index must do (start Python, open the file, run the MATCH, print 20 ids).
IMPORT_TARGET_MS = 40.0

RAW_FTS = (
    "import sqlite3, sys\n"
    "connection = sqlite3.connect(sys.argv[1])\n"
    "rows = connection.execute('SELECT a.id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid '\n"
    "                          'WHERE articles_fts MATCH ? ORDER BY rank LIMIT 20', (sys.argv[2],))\n"
    "print('\\n'.join(row[0] for row in rows))\n"
)


@dataclass(frozen=True)
class Pair:
    name: str
    newsarc: list[str]
    reference: list[str]
    reference_name: str
    target: float
    watched: bool = False


@dataclass
class Measured:
    pair: Pair
    newsarc_seconds: list[float] = field(default_factory=list)
    reference_seconds: list[float] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    peak_kb: list[int] = field(default_factory=list)
    failure: str = ""

    @property
    def ratio(self) -> float | None:
        return statistics.median(self.ratios) if self.ratios else None


def run_environment() -> dict[str, str]:
    environment = dict(os.environ, NO_COLOR="1")
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def timed(argv: list[str]) -> tuple[float, int, int, str]:
    """(seconds, peak kB, exit code, stderr) of one process, its output to /dev/null."""
    with tempfile.NamedTemporaryFile("r") as peak_file, tempfile.TemporaryFile() as err:
        command = [GNU_TIME, "-q", "-f", "%M", "-o", peak_file.name, *argv] if os.access(
            GNU_TIME, os.X_OK) else argv
        started = time.perf_counter()
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                              env=run_environment())
        seconds = time.perf_counter() - started
        figures = [word for word in peak_file.read().split() if word.isdigit()]
        err.seek(0)
        stderr = err.read().decode(errors="replace")
        return seconds, int(figures[-1]) if figures else 0, done.returncode, stderr


def newsarc_program() -> list[str]:
    beside = Path(sys.executable).parent / "newsarc"
    return [str(beside)] if beside.exists() else [sys.executable, "-m", "newsarc"]


def pairs(newsarc: list[str], archive: Path, index: Path, word: str, article_id: str) -> list[Pair]:
    base = [*newsarc, "--archive", str(archive), "--index", str(index)]
    rg = [shutil.which("rg") or "rg", "-l", "-i", word, str(archive)]
    raw = [sys.executable, "-c", RAW_FTS, str(index), word]
    return [
        Pair("full: search WORD --limit 20", [*base, "search", word, "--limit", "20"], rg, "rg -l -i", 1.0),
        Pair("full: list WORD --limit 20", [*base, "list", word, "--limit", "20"], rg, "rg -l -i", 1.0),
        Pair("full: show ID", [*base, "show", article_id, "--json"], rg, "rg -l -i", 1.0),
        Pair("full: stats", [*base, "stats"], rg, "rg -l -i", 1.0),
        Pair("--fresh none search WORD", [*base, "--fresh", "none", "search", word, "--limit", "20"], raw,
             "raw FTS5 process", 2.5),
        Pair("--fresh dirs search WORD", [*base, "--fresh", "dirs", "search", word, "--limit", "20"], raw,
             "raw FTS5 process", 2.5),
        Pair("watcher running: search WORD", [*base, "search", word, "--limit", "20"], rg, "rg -l -i", 0.3,
             watched=True),
    ]


def import_argv(archive: Path, index: Path, word: str) -> list[str]:
    """The command whose imports are timed, under `python -X importtime`."""
    return [sys.executable, "-X", "importtime", "-m", "newsarc", "--archive", str(archive),
            "--index", str(index), "--fresh", "none", "search", word, "--limit", "20", "--json"]


def own_import_ms(importtime_report: str) -> float:
    """The sum of the self times (ms) of newsarc's own modules in a -X importtime report."""
    total_us = 0
    for line in importtime_report.splitlines():
        if not line.startswith("import time:"):
            continue
        self_us, _, name = (part.strip() for part in line[len("import time:"):].split("|"))
        if self_us.isdigit() and (name == "newsarc" or name.startswith("newsarc.")):
            total_us += int(self_us)
    return total_us / 1000


def measure_imports(argv: list[str], runs: int) -> list[float]:
    """newsarc's own import time in each of `runs` runs (after one untimed run that writes bytecode)."""
    figures = []
    for round_number in range(runs + 1):
        done = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, env=run_environment())
        if done.returncode not in (0, 1):  # 1: nothing matched, still a measured start-up
            raise RuntimeError(f"exit {done.returncode}: {done.stderr.strip()[-300:]}")
        if round_number:
            figures.append(own_import_ms(done.stderr))
    return figures


def import_lines(figures: list[float]) -> list[str]:
    median = statistics.median(figures)
    spread = f"{min(figures):.1f}–{max(figures):.1f} ms"
    return [
        "",
        "| newsarc's own imports (`-X importtime`, sum of the self times of newsarc.*) "
        "| median | min–max | target | met |",
        "|---|---|---|---|---|",
        f"| `--fresh none search WORD --limit 20 --json` | {median:.1f} ms | {spread} "
        f"| < {IMPORT_TARGET_MS:.0f} ms | {'yes' if median < IMPORT_TARGET_MS else 'no'} |",
    ]


def first_id(newsarc: list[str], archive: Path, index: Path) -> str:
    done = subprocess.run([*newsarc, "--archive", str(archive), "--index", str(index), "-q", "list", "--json",
                           "--limit", "1"], capture_output=True, text=True, check=True)
    return str(json.loads(done.stdout.splitlines()[0])["id"])


class Watcher:
    """`newsarc watch` in the background while the watched pairs run."""

    def __init__(self, newsarc: list[str], archive: Path, index: Path) -> None:
        self.argv = [*newsarc, "--archive", str(archive), "--index", str(index), "-q", "watch"]
        self.index = index
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Watcher:
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and self.process.poll() is None:
            heartbeat = self._current_heartbeat()
            if heartbeat is not None and heartbeat.get("mode") != "inotify":
                # A polling watcher vouches for nothing: the pair would time full walks.
                self.__exit__()
                raise RuntimeError(f"newsarc watch is in {heartbeat.get('mode')} mode, not inotify "
                                   "(is inotify_simple installed?)")
            if heartbeat is not None:
                return self
            time.sleep(0.5)
        raise RuntimeError("newsarc watch did not start (no heartbeat in the index)")

    def _current_heartbeat(self) -> dict[str, object] | None:
        try:
            with sqlite3.connect(f"file:{self.index}?mode=ro", uri=True) as connection:
                row = connection.execute("SELECT value FROM meta WHERE key = 'watcher'").fetchone()
        except sqlite3.Error:
            return None
        heartbeat = json.loads(row[0]) if row else None
        return heartbeat if heartbeat and time.time() - heartbeat.get("beat", 0) < 5 else None

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def measure(all_pairs: list[Pair], runs: int) -> list[Measured]:
    results = [Measured(pair) for pair in all_pairs]
    for measured in results:  # one untimed warm-up each: the page cache, .pyc files
        for argv in (measured.pair.newsarc, measured.pair.reference):
            _, _, code, stderr = timed(argv)
            if code not in (0, 1):
                measured.failure = f"exit {code}: {stderr.strip()[-300:]}"
    for round_number in range(runs):
        for measured in results:
            if measured.failure:
                continue
            sides = [("newsarc", measured.pair.newsarc), ("reference", measured.pair.reference)]
            seconds: dict[str, float] = {}
            for side, argv in sides if round_number % 2 == 0 else reversed(sides):
                seconds[side], peak, _, _ = timed(argv)
                if side == "newsarc":
                    measured.peak_kb.append(peak)
            measured.newsarc_seconds.append(seconds["newsarc"])
            measured.reference_seconds.append(seconds["reference"])
            measured.ratios.append(seconds["newsarc"] / seconds["reference"])
    return results


def table(results: list[Measured], runs: int, command_line: str) -> list[str]:
    lines = [
        f"Issue 14's freshness targets, written by `{command_line}` on "
        f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC: {runs} interleaved rounds, medians; "
        f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.",
        "",
        "| newsarc command | reference | newsarc median | reference median | ratio (median of rounds) "
        "| target | peak MB | met |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for measured in results:
        pair = measured.pair
        if measured.failure or measured.ratio is None:
            lines.append(f"| {pair.name} | {pair.reference_name} | failed: {measured.failure} | | | "
                         f"<= {pair.target} | | no |")
            continue
        peak = max(measured.peak_kb) / 1024 if measured.peak_kb else 0.0
        met = measured.ratio <= pair.target and (not pair.name.startswith("full") or peak < 100)
        lines.append(
            f"| {pair.name} | {pair.reference_name} | {statistics.median(measured.newsarc_seconds):.3f} s "
            f"| {statistics.median(measured.reference_seconds):.3f} s | {measured.ratio:.2f} "
            f"| <= {pair.target} | {peak:.0f} | {'yes' if met else 'no'} |")
    return lines


def write_region(report: Path, lines: list[str]) -> None:
    """Put `lines` between the marks in `report`, keeping everything outside them."""
    region = "\n".join([BEGIN, "", *lines, "", END])
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + region + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n## Freshness targets (issue 14)\n\n" + region + "\n"
    report.write_text(text, encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--archive", type=Path, required=True, help="a generated archive (only read)")
    parser.add_argument("--index", type=Path, required=True, help="newsarc's index of it (built when empty)")
    parser.add_argument("--word", default="sensetime")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", default="", help="run only the pairs whose name holds this text")
    parser.add_argument("--no-watcher", dest="watcher", action="store_false", help="skip the watched pair")
    parser.add_argument("--no-imports", dest="imports", action="store_false",
                        help="skip the measure of newsarc's own import time")
    parser.add_argument("--report", type=Path, help="a Markdown file whose marked region receives the table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    newsarc = newsarc_program()
    subprocess.run([*newsarc, "--archive", str(args.archive), "--index", str(args.index), "-q", "index"],
                   check=True, stdout=subprocess.DEVNULL)
    chosen = [pair for pair in pairs(newsarc, args.archive, args.index, args.word,
                                     first_id(newsarc, args.archive, args.index))
              if args.only in pair.name and (args.watcher or not pair.watched)]
    results = measure([pair for pair in chosen if not pair.watched], args.runs)
    watched = [pair for pair in chosen if pair.watched]
    if watched:
        with Watcher(newsarc, args.archive, args.index):
            results += measure(watched, args.runs)
    command_line = "python benchmarks/targets.py " + " ".join(argv if argv is not None else sys.argv[1:])
    lines = table(results, args.runs, command_line)
    if args.imports:
        lines += import_lines(measure_imports(import_argv(args.archive, args.index, args.word), args.runs))
    print("\n".join(lines))
    if args.report:
        write_region(args.report, lines)
    return 1 if any(measured.failure for measured in results) else 0


if __name__ == "__main__":
    sys.exit(main())
