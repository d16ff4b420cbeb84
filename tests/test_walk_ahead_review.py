"""Holes found reviewing the walk ahead (issue 14): a walk's processes outlive neither
an interrupted command nor their own parent, and `--strict` and the refresh's notices
come before anything is written, as they did before the walk ran ahead."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from test_walk_ahead import _built, _query, _write, run

from newsarc.archive import Archive
from newsarc.index.sqlite import walkahead
from newsarc.parsing import statpool, walk

pytestmark = pytest.mark.usefixtures("isolated_environment")


@pytest.fixture()
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "archive"
    root.mkdir()
    for number in range(6):
        _write(root, f"story-{number}", f"Harbour story {number}", "The harbour reopened.", number + 1)
    monkeypatch.setattr(walkahead, "AHEAD_FILES", 0)
    monkeypatch.setattr(walk, "LISTING_MARGIN_NS", 0)
    return root


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has ended; only its parent's wait is missing.
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def _gone(pid: int) -> bool:
    """True once `pid` has ended; False when it still runs after a minute (a killed
    process ends in microseconds: the minute only keeps a failure from hanging)."""
    deadline = time.monotonic() + 60
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _blocking_walk(pid_file: Path):  # type: ignore[no-untyped-def]
    def walking(root: Path, listings: object) -> bytes:
        pid_file.write_text(str(os.getpid()))
        time.sleep(600)
        return b""

    return walking


def test_an_interrupt_while_waiting_for_the_walk_leaves_no_child(archive: Path, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _built(archive)
    pid_file = tmp_path / "walk.pid"
    monkeypatch.setattr(walkahead, "_fingerprint", _blocking_walk(pid_file))
    opened = Archive.open(archive, index=archive.parent / "index.sqlite", deferred=True)
    pid = opened.index._walk_ahead.child.pid  # type: ignore[attr-defined]

    def interrupt(number: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        while not pid_file.exists():  # the child is in its walk
            time.sleep(0.01)
        signal.setitimer(signal.ITIMER_REAL, 0.05)  # Ctrl-C while the answer waits for the walk
        with pytest.raises(KeyboardInterrupt):
            opened.count(_query("harbour"))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        opened.close()
    try:
        assert not _alive(pid), "the walk's child outlived the interrupted command"
    finally:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def test_the_walks_own_stat_children_end_with_it(archive: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    if statpool._processes() < 2:
        pytest.skip("the walk stats in one process on one core")
    _built(archive)
    pid_file = tmp_path / "stat.pid"
    real = statpool._stat_bytes

    def slow_stats(descriptor: int, names: list[str]) -> bytes:
        written = pid_file.with_suffix(".part")
        written.write_text(str(os.getpid()))
        written.replace(pid_file)  # whole, or not there yet
        time.sleep(600)
        return real(descriptor, names)

    monkeypatch.setattr(statpool, "PARALLEL_NAMES", 1)  # the child's walk stats in its own children
    monkeypatch.setattr(statpool, "_stat_bytes", slow_stats)
    opened = Archive.open(archive, index=archive.parent / "index.sqlite", deferred=True)
    while not pid_file.exists():
        time.sleep(0.01)
    grandchild = int(pid_file.read_text())
    opened.close()  # a command that asked nothing (or was interrupted): the walk is killed
    try:
        assert _gone(grandchild)
    finally:
        if _alive(grandchild):
            os.kill(grandchild, signal.SIGKILL)


@pytest.mark.parametrize("ahead_files", [0, walkahead.AHEAD_FILES])  # the walk ahead, or here first
def test_strict_stops_a_folder_export_before_its_folder_is_made(
        archive: Path, tmp_path: Path, ahead_files: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(walkahead, "AHEAD_FILES", ahead_files)
    (archive / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    _built(archive)
    out = tmp_path / "out"
    exported = run(archive, "--strict", "export", "--format", "frontmatter", "--output", str(out))
    assert exported.exit_code != 0
    assert "(--strict)" in exported.stderr
    assert not out.exists()


def test_a_refresh_that_walked_here_is_told_at_once(archive: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No walk ran ahead (a small archive): the report is final when the archive opens,
    so its notices and --strict come before the command does anything, as before."""
    monkeypatch.setattr(walkahead, "AHEAD_FILES", 2000)
    (archive / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    _built(archive)
    told: list[int] = []
    with Archive.open(archive, index=archive.parent / "index.sqlite", deferred=True) as opened:
        assert not opened.index.walking_ahead
        opened.when_settled(lambda report, spellings: told.append(report.problems))
        assert told == [1]


def test_the_index_can_be_written_after_a_kept_answer(archive: Path) -> None:
    """A refresh (or a watcher's heartbeat) after a question of the same open archive
    writes in a transaction of its own, not inside the walk's read transaction."""
    _built(archive)
    with Archive.open(archive, index=archive.parent / "index.sqlite", deferred=True) as opened:
        assert opened.index.walking_ahead
        assert opened.count(_query("harbour")) == 6
        _write(archive, "story-9", "Harbour story 9", "The harbour reopened.", 28)
        assert opened.refresh().added == 1
        assert opened.count(_query("harbour")) == 7


def test_a_commands_later_questions_answer_from_the_index_the_walk_vouched_for(archive: Path) -> None:
    """Another newsarc that refreshes (or rebuilds) the index after the first answer was
    kept cannot make the command's next question (`show`'s related items) answer from
    another index: all of them read in the walk's read transaction."""
    _built(archive)
    database = archive.parent / "index.sqlite"
    with Archive.open(archive, index=database, deferred=True) as opened:
        assert opened.count(_query("harbour")) == 6
        _write(archive, "story-9", "Harbour story 9", "The harbour reopened.", 28)  # made during the command
        with Archive.open(archive, index=database) as other:  # another newsarc's refresh, committed
            assert other.count(_query("harbour")) == 7
        assert opened.count(_query("harbour")) == 6
