"""A full refresh that finds every stat as the index was made from answers without
comparing file by file (the walk's fingerprint), and still sees every change; the
stats of a big folder, split across processes, are those one process makes."""

from __future__ import annotations

import errno
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsarc.archive import Archive
from newsarc.index import walkdiff
from newsarc.parsing import statpool, walk
from newsarc.query import parse_query

EVERYTHING = parse_query("", datetime(2024, 1, 1, tzinfo=timezone.utc))


@pytest.fixture()
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "archive"
    (root / "2021" / "05").mkdir(parents=True)
    for name in ("a.md", "b.md", "2021/c.md", "2021/05/d.md"):
        (root / name).write_text(f"---\ntitle: {name}\n---\n", encoding="utf-8")
    monkeypatch.setattr(walk, "LISTING_MARGIN_NS", 0)  # listings made now may be trusted
    return root


@pytest.fixture()
def compared(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the refreshes that took the walk apart file by file."""
    calls = [0]
    real = walkdiff.walk_digest

    def counting(*args: object) -> bytes:
        calls[0] += 1
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(walkdiff, "walk_digest", counting)
    return calls


def _titles(archive: Path, index: Path) -> list[str]:
    with Archive.open(archive, index=index) as opened:
        return sorted(article.title for article in opened.iter_articles(EVERYTHING))


def test_an_unchanged_archive_is_not_compared_file_by_file(archive: Path, tmp_path: Path,
                                                           compared: list[int]) -> None:
    index = tmp_path / "index.sqlite"
    assert _titles(archive, index) == ["2021/05/d.md", "2021/c.md", "a.md", "b.md"]
    assert compared[0] == 1
    assert _titles(archive, index) == ["2021/05/d.md", "2021/c.md", "a.md", "b.md"]
    assert compared[0] == 1  # the fingerprint held


@pytest.mark.parametrize("change", ["edit in place, time set back", "add", "remove", "rename", "replace",
                                    "new folder"])
def test_every_change_is_seen_after_a_fingerprinted_refresh(archive: Path, tmp_path: Path,
                                                            compared: list[int], change: str) -> None:
    index = tmp_path / "index.sqlite"
    _titles(archive, index)
    _titles(archive, index)  # the second one answered by the fingerprint
    deep = archive / "2021" / "05" / "d.md"
    if change == "edit in place, time set back":
        before = deep.stat()
        deep.write_text("---\ntitle: 2021/05/X.md\n---\n", encoding="utf-8")  # the same size
        os.utime(deep, ns=(before.st_atime_ns, before.st_mtime_ns))
        expected = ["2021/05/X.md", "2021/c.md", "a.md", "b.md"]
    elif change == "add":
        (archive / "2021" / "05" / "e.md").write_text("---\ntitle: e\n---\n", encoding="utf-8")
        expected = ["2021/05/d.md", "2021/c.md", "a.md", "b.md", "e"]
    elif change == "remove":
        deep.unlink()
        expected = ["2021/c.md", "a.md", "b.md"]
    elif change == "rename":
        deep.rename(archive / "2021" / "05" / "renamed.md")
        expected = ["2021/05/d.md", "2021/c.md", "a.md", "b.md"]
    elif change == "replace":  # as `sed -i` and editors do: a new file renamed over the old
        (archive / "2021" / "05" / "d.tmp").write_text("---\ntitle: replaced\n---\n", encoding="utf-8")
        os.replace(archive / "2021" / "05" / "d.tmp", deep)
        expected = ["2021/c.md", "a.md", "b.md", "replaced"]
    else:
        (archive / "2021" / "05" / "late").mkdir()
        (archive / "2021" / "05" / "late" / "f.md").write_text("---\ntitle: f\n---\n", encoding="utf-8")
        expected = ["2021/05/d.md", "2021/c.md", "a.md", "b.md", "f"]
    assert _titles(archive, index) == expected
    assert compared[0] == 2  # compared again: the fingerprint no longer held
    assert _titles(archive, index) == expected and compared[0] == 2  # and holds again


def test_a_file_that_cannot_be_stated_is_compared_each_time(archive: Path, tmp_path: Path,
                                                           compared: list[int],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    real_stat_all = statpool._stat_all

    def failing_for_b(descriptor: int, names: list[str]) -> statpool.array[int]:
        values = real_stat_all(descriptor, names)
        if "b.md" in names:
            position = names.index("b.md") * statpool.FIELDS
            values[position : position + statpool.FIELDS] = statpool.array("q", [0] * 5 + [errno.EIO])
        return values

    monkeypatch.setattr(statpool, "_stat_all", failing_for_b)
    index = tmp_path / "index.sqlite"
    with Archive.open(archive, index=index) as opened:
        assert [problem.message for problem in opened.problems()] == ["cannot read file: Input/output error"]
    _titles(archive, index)
    assert compared[0] == 2  # a walk with a problem never vouches for the archive


def test_big_folders_are_stated_alike_by_many_processes(tmp_path: Path) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    names = [f"{number:04}.md" for number in range(300)]
    for name in names:
        (folder / name).write_text(name, encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "dangling.md").symlink_to(tmp_path / "nowhere")
    asked = [*names[:150], "sub", "dangling.md", "vanished.md", *names[150:]]
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        alone = statpool._stat_all(descriptor, asked)
        for processes in (2, 3, 4):
            assert statpool._stat_forked(descriptor, asked, processes) == alone
    finally:
        os.close(descriptor)
    errors = alone[statpool.FIELDS - 1 :: statpool.FIELDS]
    assert errors.count(errno.ENOENT) == 2 and errors.count(0) == len(asked) - 2
    modes = alone[:: statpool.FIELDS]
    sizes = alone[1 :: statpool.FIELDS]
    assert os.path.isdir(folder / asked[150]) and modes[150] == (folder / "sub").stat().st_mode
    assert sizes[:150].tolist() == [7] * 150


def test_a_walk_through_processes_finds_what_one_process_finds(archive: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    for number in range(40):
        (archive / "2021" / f"n{number}.md").write_text(f"---\ntitle: {number}\n---\n", encoding="utf-8")
    alone = walk.scan_archive(archive)
    monkeypatch.setattr(statpool, "PARALLEL_NAMES", 2)
    monkeypatch.setattr(statpool, "_processes", lambda: 3)
    assert walk.scan_archive(archive) == alone
    assert walk.stat_walk(archive).fingerprint() == walk.stat_walk(archive).fingerprint() is not None


def test_a_walk_made_right_after_a_change_never_vouches(tmp_path: Path, compared: list[int]) -> None:
    # With the real two-second margin: a folder changed just before its listing could
    # still gain a name in the same clock tick, so that walk's fingerprint is never used.
    root = tmp_path / "fresh"
    root.mkdir()
    (root / "a.md").write_text("---\ntitle: a\n---\n", encoding="utf-8")
    index = tmp_path / "index.sqlite"
    assert _titles(root, index) == ["a"] and _titles(root, index) == ["a"]
    assert compared[0] == 2


def test_a_part_no_process_can_take_is_stated_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "big"
    folder.mkdir()
    names = [f"{number}.md" for number in range(60)]
    for name in names:
        (folder / name).write_text(name, encoding="utf-8")

    def no_fork() -> int:
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")  # a pids limit

    descriptor = os.open(folder, os.O_RDONLY)
    try:
        alone = statpool._stat_all(descriptor, names)
        open_before = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
        monkeypatch.setattr(os, "fork", no_fork)
        assert statpool._stat_forked(descriptor, names, 3) == alone
        if open_before is not None:
            assert len(os.listdir("/proc/self/fd")) == open_before  # no pipe left open
    finally:
        os.close(descriptor)
    monkeypatch.setattr(statpool, "PARALLEL_NAMES", 2)
    monkeypatch.setattr(statpool, "_processes", lambda: 3)
    assert sorted(walk.scan_archive(folder)) == sorted(names)


def test_a_time_past_what_the_index_can_hold_is_a_problem_of_its_file(archive: Path) -> None:
    late = archive / "2021" / "late.md"
    late.write_text("---\ntitle: late\n---\n", encoding="utf-8")
    try:
        os.utime(late, ns=(10**19, 10**19))  # the year 2286: past a signed 64-bit count of ns
    except (OSError, OverflowError):
        pytest.skip("this file system cannot hold such a time")
    if late.stat().st_mtime_ns < 1 << 63:
        pytest.skip("this file system clamps such a time")
    problems: list[walk.Problem] = []
    found = walk.scan_archive(archive, problems)
    assert "2021/late.md" not in found and "2021/c.md" in found
    assert [(problem.path, problem.message) for problem in problems] == [
        ("2021/late.md", f"cannot read file: {os.strerror(errno.EOVERFLOW)}")]


def test_the_walk_digest_sees_a_change_anywhere_in_a_large_walk() -> None:
    """The digest that lets a refresh skip the file-by-file comparison is made a slice
    of files at a time: a change past the first slice, or one that moves the slices'
    boundaries, must still give another digest (else that edit would never be indexed)."""
    files = {f"2021/{number:05d}.md": (100 + number, 10**18 + number, number, 10**18) for number in range(10_000)}
    folders = {"": 1, "2021/": 2}
    digest = walkdiff.walk_digest(files, folders, [])
    assert walkdiff.walk_digest(dict(files), dict(folders), []) == digest
    changed = []
    for number in (0, 4095, 4096, 9999):
        edited = dict(files)
        size, mtime, inode, ctime = edited[f"2021/{number:05d}.md"]
        edited[f"2021/{number:05d}.md"] = (size, mtime + 1, inode, ctime)
        changed.append(edited)
    removed = dict(files)
    del removed["2021/05000.md"]
    added = {**files, "2021/zz.md": (1, 1, 1, 1)}
    changed += [removed, added]
    digests = {walkdiff.walk_digest(walk, folders, []) for walk in changed}
    assert len(digests) == len(changed) and digest not in digests
    assert walkdiff.walk_digest(files, {**folders, "2021/": 3}, []) != digest
    assert walkdiff.walk_digest(files, folders, [["2022", "cannot read folder"]]) != digest
