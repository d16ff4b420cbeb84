"""The index file: newsarc replaces or removes only a file it can prove it wrote, and
sees every edit of the archive; odd names, clashing ids and unreadable folders are
problems, never lost articles or internal errors."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

import newsarc.parsing as parsing
import newsarc.parsing.result as parsing_result
import newsarc.parsing.walk as files_module
from newsarc.archive import Archive
from newsarc.index import NotAnIndexError
from newsarc.index.sqlite import SqliteIndex
from newsarc.parsing import names
from newsarc.query import parse_query

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
NEWSARC = [sys.executable, "-m", "newsarc"]
NOW = datetime(2021, 12, 20, tzinfo=timezone.utc)


def newsarc(archive: Path, index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NEWSARC, "--archive", str(archive), "--index", str(index), *args],
                          capture_output=True, text=True, timeout=120)


def folder_state(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def everything(archive: Archive) -> list[str]:
    return sorted(article.path for article in archive.iter_articles(parse_query("", NOW)))


# --- files newsarc did not write -------------------------------------------------------------


def _other_programs_database(path: Path) -> None:
    with sqlite3.connect(path) as connection:  # even a table named like newsarc's
        connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value)")
        connection.execute("INSERT INTO meta VALUES ('owner', 'another program')")
    connection.close()


def _garbage_with_an_sqlite_header(path: Path) -> None:
    path.write_bytes(b"SQLite format 3\x00" + bytes(range(256)) * 40)


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(8192))


def _text(path: Path) -> None:
    path.write_text("my notes, not an index\n")


@pytest.mark.parametrize(("name", "make"), [
    ("other.db", _other_programs_database),
    ("notes.db", _text),
    ("broken.sqlite", _garbage_with_an_sqlite_header),
    ("noise.sqlite3", _random_bytes),
])
@pytest.mark.parametrize("command", [["list", "--json"], ["index", "--rebuild"], ["index"]])
def test_a_file_newsarc_did_not_write_is_never_touched(
    tmp_path: Path, name: str, make: object, command: list[str]
) -> None:
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    index = folder / name
    make(index)  # type: ignore[operator]
    before = folder_state(folder)
    process = newsarc(SEEDS, index, *command)
    assert (process.returncode, process.stdout) == (2, "")
    assert process.stderr == f"newsarc: error: {index} is not a newsarc index; not touching it\n"
    assert folder_state(folder) == before  # every byte kept, no -wal or -shm beside it


def test_an_index_damaged_past_its_header_is_not_removed_by_a_query(tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    _random_bytes(index)
    with pytest.raises(NotAnIndexError):
        Archive.open(SEEDS, index=index)
    with pytest.raises(NotAnIndexError):
        Archive.open(SEEDS, index=index, rebuild=True)
    assert index.stat().st_size == 8192


def test_a_failed_open_leaves_no_connection_open(tmp_path: Path) -> None:
    index = tmp_path / "other.db"
    _other_programs_database(index)
    open_files = len(os.listdir("/proc/self/fd")) if Path("/proc/self/fd").is_dir() else None
    with pytest.raises(NotAnIndexError) as raised:
        SqliteIndex.open(SEEDS, index, [])
    # The traceback (held by `raised`) keeps the frames of SqliteIndex.open alive: a
    # connection they leaked would still hold the file open here.
    assert raised.value is not None
    if open_files is not None:
        assert len(os.listdir("/proc/self/fd")) == open_files


# --- newsarc's own index: rebuilt in place -------------------------------------------------


def test_a_rebuild_empties_the_index_in_place_under_a_reader(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(SEEDS, archive_dir)
    index = tmp_path / "index.sqlite"
    inode = None
    with Archive.open(archive_dir, index=index) as reader:
        inode = index.stat().st_ino
        (archive_dir / "000_9d4cac1fec7e3850.txt").unlink()
        rebuilt = newsarc(archive_dir, index, "index", "--rebuild")
        assert rebuilt.returncode == 0, rebuilt.stderr
        # The reader's connection still reads the one index file, now rebuilt.
        assert len(everything(reader)) == 4
    assert index.stat().st_ino == inode


@pytest.mark.parametrize("legacy", [False, True])
def test_an_index_of_another_version_is_rebuilt_in_place(tmp_path: Path, legacy: bool) -> None:
    index = tmp_path / "index.sqlite"
    Archive.open(SEEDS, index=index).close()
    inode = index.stat().st_ino
    with sqlite3.connect(index) as connection:
        connection.execute("PRAGMA user_version = 4" if legacy else "PRAGMA user_version = 999")
        if legacy:  # versions before 5 wrote no application_id
            connection.execute("PRAGMA application_id = 0")
    connection.close()
    process = newsarc(SEEDS, index, "index")
    assert process.returncode == 0, process.stderr
    assert "is from another version of newsarc; rebuilding it" in process.stderr
    assert index.stat().st_ino == inode


# --- freshness ----------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["in-place", "replaced"])
def test_an_edit_that_keeps_size_and_mtime_is_seen(tmp_path: Path, how: str) -> None:
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    article = archive_dir / "note.txt"
    article.write_text("Alpha title\n\nThe body.\n")
    index = tmp_path / "index.sqlite"
    with Archive.open(archive_dir, index=index) as archive:
        assert [a.title for a in archive.iter_articles(parse_query("", NOW))] == ["Alpha title"]
    before = article.stat()
    if how == "in-place":
        article.write_text("Omega title\n\nThe body.\n")
    else:  # what `sed -i` does: a new file renamed over the old one
        (archive_dir / ".note.new").write_text("Omega title\n\nThe body.\n")
        os.replace(archive_dir / ".note.new", article)
    os.utime(article, ns=(before.st_atime_ns, before.st_mtime_ns))  # `touch -r`
    os.utime(archive_dir, ns=(archive_dir.stat().st_atime_ns, archive_dir.stat().st_mtime_ns))
    assert (article.stat().st_size, article.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    with Archive.open(archive_dir, index=index) as archive:
        assert archive.report.changed == 1
        assert [a.title for a in archive.iter_articles(parse_query("", NOW))] == ["Omega title"]


# --- odd names and clashing ids -------------------------------------------------------------


def test_a_name_spelled_like_an_escape_and_the_name_it_spells_are_both_indexed(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    raw = os.fsencode(archive_dir)
    with open(os.path.join(raw, b"caf\xe9.md"), "wb") as handle:  # Latin-1 bytes in the name
        handle.write(b"Latin-1 name\n\nIts body.\n")
    (archive_dir / "caf\\xe9.md").write_text("Literal backslash name\n\nIts body.\n")
    for _ in range(2):  # built, then refreshed with nothing changed
        with Archive.open(archive_dir, index=tmp_path / "index.sqlite") as archive:
            found = {a.path: a.title for a in archive.iter_articles(parse_query("", NOW))}
            assert found == {"caf\\xe9.md": "Latin-1 name", "caf\\x5cxe9.md": "Literal backslash name"}
            assert archive.problems() == []
    assert names.real_name("caf\\xe9.md") == b"caf\xe9.md"
    assert names.real_name("caf\\x5cxe9.md") == b"caf\\xe9.md"


def test_a_file_named_like_a_record_of_another_keeps_its_own_id(tmp_path: Path) -> None:
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    page = {"value": [{"title": f"Record {n}", "webUrl": f"https://example.com/{n}"} for n in range(3)]}
    (archive_dir / "p.json").write_text(json.dumps(page))
    (archive_dir / "p.json#1").write_text("A file named like a record\n\nIts body.\n")
    # Enough other files that the page and its look-alike land in different insert batches.
    for number in range(250):
        (archive_dir / f"filler-{number:03d}.txt").write_text(f"Filler {number}\n\nBody.\n")
    index = tmp_path / "index.sqlite"
    for _ in range(2):
        process = newsarc(archive_dir, index, "list", "--json")
        assert process.returncode == 0, process.stderr
        records = [json.loads(line) for line in process.stdout.splitlines()]
        assert len(records) == len({record["id"] for record in records}) == 254
    single = next(record for record in records if record["path"] == "p.json#1")
    assert single["id"] == parsing.article_id("p.json#1")  # a one-article file's id is unchanged


def test_two_articles_with_one_id_are_a_problem_not_an_internal_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(SEEDS, archive_dir)
    monkeypatch.setattr(parsing_result, "article_id", lambda path, index=None: "0123456789abcdef")
    for _ in range(2):
        with Archive.open(archive_dir, index=tmp_path / "index.sqlite", workers=1) as archive:
            assert len(everything(archive)) == 1
            problems = archive.problems()
            assert len(problems) == 4
            assert all("has the id 0123456789abcdef of one in" in problem.message for problem in problems)


# --- unreadable folders and files ---------------------------------------------------------------


def test_an_unreadable_folder_is_a_problem_and_its_files_are_not_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(SEEDS, archive_dir / "inner")
    shutil.copyfile(SEEDS / "000_9d4cac1fec7e3850.txt", archive_dir / "top.txt")
    index = tmp_path / "index.sqlite"
    with Archive.open(archive_dir, index=index) as archive:
        assert len(everything(archive)) == 6
    real_scandir = os.scandir

    def unreadable_inner(path: object) -> object:  # as root, chmod 000 would not stop it
        if isinstance(path, int) and os.readlink(f"/proc/self/fd/{path}").endswith("/inner"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_scandir(path)  # type: ignore[call-overload]

    monkeypatch.setattr(files_module.os, "scandir", unreadable_inner)  # the walk lists folders with it
    with Archive.open(archive_dir, index=index, workers=1) as archive:
        assert archive.report.removed == 0
        assert len(everything(archive)) == 6
        problems = [(p.path, p.message) for p in archive.problems()]
        assert problems == [("inner", "cannot read folder: Permission denied")]
        assert archive.report.problems == 1
    monkeypatch.undo()
    with Archive.open(archive_dir, index=index) as archive:
        assert archive.problems() == []
        assert len(everything(archive)) == 6


def test_a_file_that_cannot_be_looked_at_is_a_problem_and_stays_indexed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive_dir = tmp_path / "archive"
    shutil.copytree(SEEDS, archive_dir)
    index = tmp_path / "index.sqlite"
    Archive.open(archive_dir, index=index).close()
    real_stat = os.stat
    victim = "003_b66d24fd8a82dcf1.txt"

    def failing_stat(path: object, *args: object, **kwargs: object) -> os.stat_result:
        if path == victim:
            raise OSError(errno.EIO, "Input/output error")
        return real_stat(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files_module.os, "stat", failing_stat)
    with Archive.open(archive_dir, index=index, workers=1) as archive:
        assert (archive.report.removed, len(everything(archive))) == (0, 5)
        problems = [(p.path, p.message) for p in archive.problems()]
        assert problems == [(victim, "cannot read file: Input/output error")]


# --- a full disk ----------------------------------------------------------------------------------


@pytest.fixture()
def small_disk(tmp_path: Path) -> object:
    """A 1 MB file system (tmpfs), where the mount is allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)]
    mounted = subprocess.run(mount, capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield disk
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_a_first_build_that_fills_the_disk_leaves_nothing_behind(tmp_path: Path, small_disk: Path) -> None:
    archive_dir = tmp_path / "archive"
    archive_dir.mkdir()
    for number in range(300):
        for source in SEEDS.iterdir():
            shutil.copyfile(source, archive_dir / f"{number:03d}-{source.name}")
    process = newsarc(archive_dir, small_disk / "index.sqlite", "list", "--json")
    assert process.returncode == 0, process.stderr
    assert "using an in-memory index for this run" in process.stderr
    assert len(process.stdout.splitlines()) == 1500
    assert sorted(path.name for path in small_disk.iterdir()) == []  # no WAL of megabytes kept
