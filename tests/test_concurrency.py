"""Concurrency: queries and refreshes in parallel while the archive changes under them.

Four loops run `newsarc list` / `newsarc search` one process after another, a fifth
runs `newsarc index`, all on one index file (which none of them has built yet), while
the test adds, edits, renames and deletes article files for a bounded time. Every
process must exit 0 or 1 with nothing about a locked database or a traceback on
stderr, and once the archive is still, one more refresh must leave an index that
holds exactly the articles and problems of the files on disk, parsed directly.

`NEWSARC_CONCURRENCY_SECONDS` sets the duration (default 10 s).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from newsarc.archive import load_archive

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = (PROJECT / ".." / "shared" / "corpus").resolve()
SEEDS = PROJECT / "seeds"
NEWSARC = [sys.executable, "-m", "newsarc"]
DURATION = float(os.environ.get("NEWSARC_CONCURRENCY_SECONDS") or 10)
BAD_STDERR = ("locked", "Traceback", "internal error", "busy")


def source_files() -> list[Path]:
    files = sorted(path for path in CORPUS.rglob("*.md")) if CORPUS.is_dir() else []
    files += sorted(SEEDS.iterdir())
    return files


class Runs:
    """Every finished newsarc process: its command, exit code and stderr."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.results: list[tuple[list[str], int, str]] = []

    def run(self, archive: Path, index: Path, *args: str) -> subprocess.CompletedProcess[str]:
        process = subprocess.run(
            [*NEWSARC, "--archive", str(archive), "--index", str(index), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "NO_COLOR": "1"},
        )
        with self.lock:
            self.results.append((list(args), process.returncode, process.stderr))
        return process


def loop(runs: Runs, stop: threading.Event, archive: Path, index: Path, commands: list[list[str]]) -> None:
    for number in range(10**6):
        if stop.is_set():
            return
        runs.run(archive, index, *commands[number % len(commands)])


class Mutator:
    """Adds, edits, renames and deletes files, as a person or a sync tool would."""

    def __init__(self, archive: Path, pool: list[Path], seed: int) -> None:
        self.archive = archive
        self.pool = pool
        self.random = random.Random(seed)
        self.counts: Counter[str] = Counter()
        self.serial = 0

    def files(self) -> list[Path]:
        return sorted(path for path in self.archive.rglob("*") if path.is_file())

    def step(self) -> None:
        action = self.random.choice(
            ["add", "add", "edit", "edit-in-place", "rename", "delete", "break", "folder"]
        )
        files = self.files()
        self.serial += 1
        if action in ("add", "folder") or not files:
            source = self.random.choice(self.pool)
            folder = self.archive / f"new-{self.serial % 3}" if action == "folder" else self.archive
            folder.mkdir(exist_ok=True)
            shutil.copyfile(source, folder / f"added-{self.serial}-{source.name}")
            self.counts["added"] += 1
        elif action == "edit":
            target = self.random.choice(files)
            text = target.read_text(encoding="utf-8", errors="replace")
            temporary = target.with_name(f".{target.name}.tmp")
            temporary.write_text(text.replace("title:", f"title: Edited {self.serial}", 1), encoding="utf-8")
            os.replace(temporary, target)  # an atomic save, as editors do
            self.counts["edited"] += 1
        elif action == "edit-in-place":
            target = self.random.choice(files)
            with target.open("a", encoding="utf-8") as handle:  # readers may see it half-written
                handle.write(f"\nAppended paragraph {self.serial}.\n")
            self.counts["edited"] += 1
        elif action == "rename":
            target = self.random.choice(files)
            target.rename(target.with_name(f"renamed-{self.serial}-{target.name}"))
            self.counts["renamed"] += 1
        elif action == "delete":
            self.random.choice(files).unlink()
            self.counts["deleted"] += 1
        else:
            (self.archive / f"broken-{self.serial}.md").write_text("---\ntitle: [never closed\n---\n")
            self.counts["broken files added"] += 1


def index_matches_files(runs: Runs, archive: Path, index: Path) -> tuple[int, int]:
    listed = runs.run(archive, index, "--fresh", "none", "list", "--json")
    assert listed.returncode in (0, 1), listed.stderr
    in_index = {(record["id"], record["path"]) for record in map(json.loads, listed.stdout.splitlines())}
    checked = runs.run(archive, index, "--fresh", "none", "check", "--json")
    problems_in_index = sorted(
        (p["path"], p["line"], p["message"]) for p in map(json.loads, checked.stdout.splitlines())
    )
    direct = load_archive(archive)
    on_disk = {(article.id, article.path) for article in direct.articles}
    assert in_index == on_disk, (
        f"only in the index: {sorted(in_index - on_disk)[:5]}; only on disk: {sorted(on_disk - in_index)[:5]}"
    )
    assert problems_in_index == sorted((p.path, p.line, p.message) for p in direct.problems)
    return len(on_disk), len(direct.problems)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs the shared corpus")
def test_queries_and_refreshes_while_the_archive_changes(tmp_path: Path) -> None:
    pool = source_files()
    archive, index = tmp_path / "archive", tmp_path / "cache" / "index.sqlite"
    archive.mkdir()
    for source in pool[:450]:  # enough for the first refresh to parse in worker processes
        shutil.copyfile(source, archive / source.name)
    runs, stop = Runs(), threading.Event()
    queries = [
        ["list", "--json"],
        ["search", "ai", "--json"],
        ["list", "date:2019", "--limit", "5"],
        ["search", "microsoft OR google", "--json", "--limit", "20"],
        ["stats", "--json"],
        ["dupes", "--json"],
    ]
    threads = [
        threading.Thread(target=loop, args=(runs, stop, archive, index, queries[n:] + queries[:n]))
        for n in range(4)
    ]
    threads.append(threading.Thread(target=loop, args=(runs, stop, archive, index, [["index"]])))
    mutator = Mutator(archive, pool[450:], seed=20211220)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    try:
        while time.monotonic() - started < DURATION:
            mutator.step()
            time.sleep(0.01)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=180)
    elapsed = time.monotonic() - started

    failures = [
        (args, code, stderr)
        for args, code, stderr in runs.results
        if code not in (0, 1) or any(word in stderr for word in BAD_STDERR)
    ]
    assert not failures, failures[:3]
    final = runs.run(archive, index, "index")
    assert final.returncode == 0, final.stderr
    articles, problems = index_matches_files(runs, archive, index)
    _report(
        {
            "processes": len(runs.results),
            "concurrent": len(threads) + 1,
            "seconds": round(elapsed, 1),
            "files_changed": dict(mutator.counts),
            "changes": sum(mutator.counts.values()),
            "final_articles": articles,
            "final_problems": problems,
            "exit_codes": dict(Counter(code for _, code, _ in runs.results)),
        }
    )


def test_two_first_runs_at_once_create_one_index(tmp_path: Path) -> None:
    """Several processes that find no index at all: one creates it, the others wait and use it."""
    archive, index = tmp_path / "archive", tmp_path / "index.sqlite"
    shutil.copytree(SEEDS, archive)
    for _ in range(5):
        for companion in index.parent.glob("index.sqlite*"):
            companion.unlink()
        processes = [
            subprocess.Popen(
                [*NEWSARC, "--archive", str(archive), "--index", str(index), "list", "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        outputs = [process.communicate(timeout=120) for process in processes]
        for process, (stdout, stderr) in zip(processes, outputs, strict=True):
            assert process.returncode == 0, stderr
            assert not any(word in stderr for word in (*BAD_STDERR, "another version", "rebuilding")), stderr
            assert len(stdout.splitlines()) == 5


def _report(figures: dict) -> None:
    target = os.environ.get("NEWSARC_RELIABILITY_REPORT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"section": "concurrency", **figures}) + "\n")
