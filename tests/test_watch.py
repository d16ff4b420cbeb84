"""`newsarc watch`: real file changes, a killed watcher and an overflowed queue.

Each test runs the watcher as a process of its own on a copy of the seeds and asks
the archive right after changing files, with no sleep in between: the answer must
hold the change (a query never answers from a stale index), and `report.watched`
says whether the walk was skipped because the watcher vouched for the index.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsarc.archive import Archive
from newsarc.index.sqlite import heartbeat
from newsarc.query import parse_query
from newsarc.results import Heartbeat

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="inotify is Linux's")
pytest.importorskip("inotify_simple")

EVERYTHING = parse_query("", datetime(2024, 1, 1, tzinfo=timezone.utc))
# A burst smaller than the 10,000 files, so the suite stays fast on 2 loaded
# cores; the benchmark (benchmarks/targets.py) runs against 100,000 files.
BURST = 2_000


class Watched:
    def __init__(self, root: Path, index: Path, process: subprocess.Popen[str]) -> None:
        self.root, self.index, self.process = root, index, process

    def open(self) -> Archive:
        return Archive.open(self.root, index=self.index)

    def titles(self) -> tuple[bool, list[str]]:
        """(whether the watcher vouched, the titles the archive answers with)."""
        with self.open() as archive:
            return archive.report.watched, sorted(a.title for a in archive.iter_articles(EVERYTHING))

    def heartbeat(self) -> Heartbeat | None:
        connection = sqlite3.connect(self.index)
        try:
            return heartbeat.read(connection)
        except sqlite3.Error:  # not created yet
            return None
        finally:
            connection.close()

    def wait_for(self, condition: object, seconds: float = 60.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.process.communicate()[1]
            if callable(condition) and condition():
                return
            time.sleep(0.05)
        raise AssertionError("the watcher did not get there in time")


def _article(path: Path, title: str) -> None:
    path.write_text(f"---\ntitle: {title}\n---\nbody\n", encoding="utf-8")


@pytest.fixture()
def watched(tmp_path: Path, seeds_dir: Path) -> Iterator[Watched]:
    root = tmp_path / "archive"
    shutil.copytree(seeds_dir, root)
    (root / "sub").mkdir()
    index = tmp_path / "index.sqlite"
    # Its warm server listens in a folder of the test's own (short: a socket path has at most 107 bytes).
    runtime = tempfile.mkdtemp(prefix="nw", dir="/tmp")
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_RUNTIME_DIR=runtime)
    argv = [sys.executable, "-m", "newsarc", "--archive", str(root), "--index", str(index), "watch"]
    process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=env)
    found = Watched(root, index, process)
    try:
        found.wait_for(lambda: index.exists() and (beat := found.heartbeat()) is not None
                       and beat.mode == "inotify" and beat.drained > 0)
        yield found
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(runtime, ignore_errors=True)


def test_add_edit_rename_delete_are_answered_at_once(watched: Watched) -> None:
    vouched, titles = watched.titles()
    assert vouched and len(titles) == 5
    _article(watched.root / "sub" / "added.md", "Added")
    assert watched.titles() == (True, sorted([*titles, "Added"]))
    _article(watched.root / "sub" / "added.md", "Edited")  # in place, same size
    assert watched.titles() == (True, sorted([*titles, "Edited"]))
    os.rename(watched.root / "sub" / "added.md", watched.root / "renamed.md")
    with watched.open() as archive:
        assert archive.report.watched and [a.path for a in archive.iter_articles(parse_query(
            "edited", datetime(2024, 1, 1, tzinfo=timezone.utc)))] == ["renamed.md"]
    (watched.root / "renamed.md").unlink()
    assert watched.titles() == (True, titles)


def test_a_new_folder_and_a_burst_are_all_seen(watched: Watched) -> None:
    folder = watched.root / "2024" / "05"
    folder.mkdir(parents=True)  # files land in it before its watch can be added
    for number in range(BURST):
        _article(folder / f"burst-{number:05}.md", f"Burst {number:05}")
    _, titles = watched.titles()  # whether the watcher vouched or the command walked
    assert len(titles) == 5 + BURST
    watched.wait_for(lambda: watched.titles()[0])  # the watcher has caught up, and vouches again
    _article(folder / "one-more.md", "One more")
    assert watched.titles() == (True, sorted([*titles, "One more"]))


def test_a_killed_watcher_is_not_trusted(watched: Watched) -> None:
    watched.process.send_signal(signal.SIGKILL)
    watched.process.wait()
    _article(watched.root / "after.md", "After the kill")
    vouched, titles = watched.titles()
    assert not vouched and "After the kill" in titles  # the command walked
    beat = watched.heartbeat()
    assert beat is not None and beat.pid == watched.process.pid  # still there, and not believed


def test_an_overflowed_queue_is_never_trusted(watched: Watched) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 40_000:
        pytest.skip(f"max_queued_events is {limit}: too many files to overflow it here")
    watched.process.send_signal(signal.SIGSTOP)  # its queue fills while it cannot read
    try:
        for number in range(limit // 3 + 500):  # three events each: create, modify, close
            (watched.root / "sub" / f"noise-{number}.png").write_bytes(b"x")
        _article(watched.root / "sub" / "hidden.md", "Behind the flood")
        vouched, titles = watched.titles()  # the stopped watcher cannot answer: the command walks
        assert not vouched and "Behind the flood" in titles
    finally:
        watched.process.send_signal(signal.SIGCONT)
    watched.wait_for(lambda: watched.titles()[0])
    _article(watched.root / "last.md", "Last")
    vouched, titles = watched.titles()
    assert vouched and {"Behind the flood", "Last"} <= set(titles)
    watched.process.send_signal(signal.SIGINT)
    _, stderr = watched.process.communicate(timeout=30)
    assert "the event queue overflowed; refreshing in full" in stderr


def test_a_heartbeat_is_believed_only_when_current_and_whole(tmp_path: Path, seeds_dir: Path) -> None:
    index = tmp_path / "index.sqlite"
    Archive.open(seeds_dir, index=index).close()
    # A process that is no watcher must never be signalled: this test's own pid is not one.
    now = time.time()
    cases = [
        Heartbeat(os.getpid(), socket.gethostname(), "inotify", now, drained=now + 10),
        Heartbeat(os.getpid(), socket.gethostname(), "inotify", now - 10, drained=now + 10),
        Heartbeat(os.getpid(), socket.gethostname(), "inotify", now, overflow=True, drained=now + 10),
        Heartbeat(os.getpid(), "another-host", "inotify", now, drained=now + 10),
        Heartbeat(os.getpid(), socket.gethostname(), "poll", now, drained=now + 10),
    ]
    connection = sqlite3.connect(index, isolation_level=None)
    try:
        for case in cases:
            heartbeat.write(connection, case)
            assert not heartbeat.vouches(connection), case
        connection.execute("UPDATE meta SET value = 'not json' WHERE key = 'watcher'")
        assert not heartbeat.vouches(connection)
    finally:
        connection.close()
    with Archive.open(seeds_dir, index=index) as archive:
        assert not archive.report.watched and archive.article_count() == 5


def test_a_stopped_watcher_takes_its_heartbeat_away(watched: Watched) -> None:
    watched.process.send_signal(signal.SIGTERM)  # as `kill` does; Ctrl-C (SIGINT) the same
    watched.process.wait(30)
    assert watched.heartbeat() is None
    _article(watched.root / "after.md", "After the stop")
    vouched, titles = watched.titles()
    assert not vouched and "After the stop" in titles
