"""Closed pipes and Ctrl-C: one line (or none), the right exit code, no hang, an index that still works.

Real processes and real signals: a terminal's Ctrl-C sends SIGINT to the whole process
group, so the signal goes to the group here too (`start_new_session`, then `killpg`).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from newsarc.archive import load_archive

PROJECT = Path(__file__).resolve().parent.parent
GENERATE = PROJECT / "benchmarks" / "generate.py"
SEEDS = PROJECT / "seeds"
NEWSARC = [sys.executable, "-m", "newsarc"]
# Parsed in worker processes (over the 400-file threshold); exports well over a pipe's 64 KB.
ARCHIVE_SIZE = 1200


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("interrupts") / "archive"
    if GENERATE.is_file():
        generate = [sys.executable, str(GENERATE), "--count", str(ARCHIVE_SIZE), "--out", str(root)]
        generate.append("--quiet")
        subprocess.run(generate, check=True, capture_output=True, timeout=300)
    else:
        root.mkdir()
        sources = sorted(SEEDS.iterdir())
        for number in range(ARCHIVE_SIZE):
            source = sources[number % len(sources)]
            shutil.copyfile(source, root / f"{number:05d}-{source.name}")
    return root


@pytest.fixture(scope="module")
def index(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("interrupts-index") / "index.sqlite"
    subprocess.run([*NEWSARC, "--archive", str(archive), "--index", str(index), "index"],
                   check=True, capture_output=True, timeout=300)
    return index


def start(archive: Path, index: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*NEWSARC, "--archive", str(archive), "--index", str(index), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def interrupt(process: subprocess.Popen[bytes]) -> tuple[bytes, str]:
    """Ctrl-C as a terminal sends it; (stdout, stderr) once the process has ended."""
    os.killpg(process.pid, signal.SIGINT)
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("newsarc did not end after Ctrl-C")
    return stdout, stderr.decode("utf-8", "replace")


def wait_for(condition: object, process: subprocess.Popen[bytes]) -> None:
    while not condition():  # type: ignore[operator]
        if process.poll() is not None:
            pytest.fail(f"newsarc ended before the interrupt: {process.stderr.read()!r}")  # type: ignore[union-attr]
        time.sleep(0.002)


def pipe_is_full(process: subprocess.Popen[bytes]) -> bool:
    """True once newsarc is blocked writing to its stdout (the pipe holds all it can)."""
    assert process.stdout is not None
    waiting = bytearray(4)
    fcntl.ioctl(process.stdout.fileno(), termios.FIONREAD, waiting)
    waiting_bytes = int.from_bytes(waiting, sys.byteorder)
    capacity = fcntl.fcntl(process.stdout.fileno(), getattr(fcntl, "F_GETPIPE_SZ", 1032))
    try:  # pipes fill by pages, so a blocked writer may leave the pipe short of its capacity
        with open(f"/proc/{process.pid}/wchan") as handle:
            blocked = "pipe_write" in handle.read()
    except OSError:
        blocked = False
    return waiting_bytes >= capacity or (waiting_bytes > 0 and blocked)


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as handle:
            return [int(child) for child in handle.read().split()]
    except OSError:
        return []


@pytest.mark.parametrize("form", ["csv", "markdown", "json", "opensearch", "jsonl", "paths"])
def test_a_closed_pipe_is_silent(archive: Path, index: Path, form: str) -> None:
    process = start(archive, index, "export", "--format", form)
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()  # `| head -1`
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0
    assert stderr == ""


@pytest.mark.parametrize("form", ["html", "json", "markdown", "jsonl"])
def test_ctrl_c_during_an_export_is_one_line_and_exit_130(archive: Path, index: Path, form: str) -> None:
    process = start(archive, index, "export", "--format", form)
    wait_for(lambda: pipe_is_full(process), process)  # newsarc is in the middle of the export
    _, stderr = interrupt(process)
    assert (process.returncode, stderr) == (130, "newsarc: interrupted\n")


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="finds worker processes through /proc")
def test_ctrl_c_while_workers_parse_ends_everything_and_the_index_still_works(
    archive: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index.sqlite"
    for attempt in range(4):
        process = start(archive, index, "index", "--rebuild")
        wait_for(lambda: children(process.pid), process)  # noqa: B023 - called at once
        workers = children(process.pid)
        time.sleep(0.03 * attempt)  # at the start of the work, and further into it
        _, stderr = interrupt(process)
        assert (process.returncode, stderr) == (130, "newsarc: interrupted\n")
        # newsarc kills and reaps its workers before it ends: none outlives it.
        assert [worker for worker in workers if Path(f"/proc/{worker}").exists()] == []
    indexed = subprocess.run([*NEWSARC, "--archive", str(archive), "--index", str(index), "list", "--json"],
                             capture_output=True, text=True, timeout=300)
    assert indexed.returncode == 0, indexed.stderr
    expected = {article.id for article in load_archive(archive).articles}
    assert {json.loads(line)["id"] for line in indexed.stdout.splitlines()} == expected

