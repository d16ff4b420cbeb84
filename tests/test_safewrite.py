"""Every file newsarc writes is there whole or not at all, and never anything but a regular file.

A power cut must leave the old file or the new, never an empty one: the data is
fsynced before the rename and the folder after it (observed through `os.fsync`).
A device node, a named pipe or a socket is never replaced, even with `--force`.
Output into a folder the archive walk reaches, through a folder link too, is refused.
The temporary files of a newsarc killed mid-write are removed by the next write
into that folder, and nothing else is: not a live writer's, not another program's.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarc import safewrite
from newsarc.cli import cli
from newsarc.errors import ExportError
from newsarc.exporters.output import open_output
from newsarc.importing import import_sources

ARTICLES = [
    {"title": "First story", "webUrl": "https://news.example/1", "publishedDateTime": "2021-11-01T10:00:00Z"},
    {
        "title": "Second story",
        "webUrl": "https://news.example/2",
        "publishedDateTime": "2021-11-02T10:00:00Z",
    },
]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    root.mkdir()
    for number, record in enumerate(ARTICLES, 1):
        (root / f"story-{number}.json").write_text(json.dumps(record))
    return root


def newsarc(archive: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, ["--archive", str(archive), "--no-cache", *args], obj={"stdout_tty": False, "stderr_tty": False}
    )
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# --- durability: fsync the file before the rename, the folder after -----------------------


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """("fsync-file", name) with the file's size at that moment, ("fsync-folder", name),
    ("rename" or "link", target name), in the order they happen."""
    recorded: list[tuple[str, str]] = []
    real_fsync, real_replace, real_link = os.fsync, os.replace, os.link

    def fsync(descriptor: int) -> None:
        info = os.fstat(descriptor)
        kind = "fsync-folder" if stat.S_ISDIR(info.st_mode) else "fsync-file"
        recorded.append((kind, str(info.st_size) if kind == "fsync-file" else ""))
        real_fsync(descriptor)

    def replace(source: str | Path, target: str | Path) -> None:
        recorded.append(("rename", Path(target).name))
        real_replace(source, target)

    def link(source: str | Path, target: str | Path) -> None:
        recorded.append(("link", Path(target).name))
        real_link(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "link", link)
    yield recorded


def assert_durable_order(events: list[tuple[str, str]], published: int) -> None:
    kinds = [kind for kind, _ in events]
    publishes = [at for at, kind in enumerate(kinds) if kind in ("rename", "link")]
    assert len(publishes) == published, events
    for at in publishes:  # each rename follows an fsync of its file, with the data written
        assert kinds[at - 1] == "fsync-file" and events[at - 1][1] != "0", events
    assert "fsync-folder" in kinds[publishes[-1] :], f"the folder was not fsynced after the rename: {events}"


@pytest.mark.parametrize("force", [False, True], ids=["new-file", "replace"])
def test_export_output_is_fsynced_before_and_after_the_rename(
    archive: Path, tmp_path: Path, events: list[tuple[str, str]], force: bool
) -> None:
    target = tmp_path / "out.csv"
    if force:
        target.write_text("the previous export")
    code, _, stderr = newsarc(archive, "export", "--format", "csv", "-o", str(target), *(["--force"] * force))
    assert code == 0, stderr
    assert_durable_order(events, 1)
    assert [name for kind, name in events if kind in ("rename", "link")] == ["out.csv"]
    assert target.read_text().count("story") >= 2


def test_a_folder_export_fsyncs_every_file_before_its_rename_and_the_folder_after(
    archive: Path, tmp_path: Path, events: list[tuple[str, str]]
) -> None:
    code, _, stderr = newsarc(archive, "export", "--format", "frontmatter", "-o", str(tmp_path / "out"))
    assert code == 0, stderr
    assert_durable_order(events, 2)


def test_import_fsyncs_every_file_before_its_rename_and_the_folder_after(
    archive: Path, tmp_path: Path, events: list[tuple[str, str]]
) -> None:
    source = tmp_path / "new.jsonl"
    source.write_text(
        "".join(json.dumps(record | {"webUrl": record["webUrl"] + "x"}) + "\n" for record in ARTICLES)
    )
    summary = import_sources([source], archive)
    assert summary.added == 2
    assert_durable_order(events, 2)


# --- only regular files --------------------------------------------------------------------


def _special_files(folder: Path) -> dict[str, Path]:
    pipe = folder / "pipe.csv"
    os.mkfifo(pipe)
    sock = folder / "socket.csv"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    server.close()
    link = folder / "link-to-pipe.csv"
    link.symlink_to(pipe)
    return {"pipe": pipe, "socket": sock, "link": link}


@pytest.mark.parametrize("kind", ["pipe", "socket", "link"])
@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_force_never_replaces_a_pipe_or_a_socket(
    archive: Path, tmp_path: Path, kind: str, force: bool
) -> None:
    target = _special_files(tmp_path)[kind]
    before = os.lstat(target)
    code, stdout, stderr = newsarc(
        archive, "export", "--format", "csv", "-o", str(target), *(["--force"] * force)
    )
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and str(target) in stderr and "regular file" in stderr, stderr
    after = os.lstat(target)
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".tmp")]


def test_a_character_device_is_never_replaced(tmp_path: Path) -> None:
    # /dev/null itself stands for every device: the check runs before anything is written.
    with (
        pytest.raises(ExportError, match="character device"),
        open_output(Path(os.devnull), force=True, archive_root=None),
    ):
        pytest.fail("opened a device for writing")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_folder_export_never_replaces_a_pipe_of_the_same_name(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "2021-11-01-first-story.md")
    with pytest.raises(ExportError, match="named pipe"):
        safewrite.write_file(tmp_path, "2021-11-01-first-story.md", "text", replace=True)
    assert stat.S_ISFIFO(os.lstat(tmp_path / "2021-11-01-first-story.md").st_mode)
    assert [path.name for path in tmp_path.iterdir()] == ["2021-11-01-first-story.md"]


def test_a_link_to_a_regular_file_is_still_replaced_with_force(archive: Path, tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("old")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    code, _, stderr = newsarc(
        archive, "export", "--format", "csv", "-o", str(tmp_path / "link.csv"), "--force"
    )
    assert code == 0, stderr
    assert "First story" in (tmp_path / "link.csv").read_text()


# --- never into what the archive walk reaches ---------------------------------------------


@pytest.mark.parametrize("where", ["the-linked-folder", "a-new-folder-below-it", "a-file-in-it"])
def test_output_into_a_folder_the_archive_reaches_through_a_link_is_refused(
    archive: Path, tmp_path: Path, where: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (archive / "linked").symlink_to(elsewhere, target_is_directory=True)
    target, format_name = {
        "the-linked-folder": (elsewhere, "frontmatter"),
        "a-new-folder-below-it": (elsewhere / "new", "frontmatter"),
        "a-file-in-it": (elsewhere / "out.json", "json"),
    }[where]
    code, _, stderr = newsarc(archive, "export", "--format", format_name, "-o", str(target), "--force")
    assert code == 2
    assert stderr.count("\n") == 1 and "inside the archive" in stderr, stderr
    assert list(elsewhere.iterdir()) == []
    code, listed, _ = newsarc(archive, "list", "--format", "paths")
    assert len(listed.splitlines()) == 2  # the next run still reads two articles, not four


def test_output_beside_the_archive_is_still_accepted(archive: Path, tmp_path: Path) -> None:
    (archive / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    code, _, stderr = newsarc(archive, "export", "--format", "frontmatter", "-o", str(tmp_path / "digest"))
    assert code == 0, stderr
    assert len(list((tmp_path / "digest").iterdir())) == 2


# --- the temporary files of a killed newsarc ------------------------------------------------

STALE = ".out.csv.0123abcd.tmp"


def _old(path: Path, text: str = "half an export") -> Path:
    path.write_text(text)
    os.utime(path, ns=(0, 0))  # long before this process started
    return path


def test_the_next_export_removes_stale_temporaries_and_nothing_else(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    stale = _old(out / STALE)
    stale_folder_export = _old(out / ".2021-11-01-first-story.md.89abcdef.tmp")
    kept = {
        "not-ours": _old(out / ".notes.tmp"),
        "not-hex": _old(out / ".out.csv.0123ABCZ.tmp"),
        "not-hidden": _old(out / "out.csv.0123abcd.tmp"),
        # Made after this run began: its writer may not have taken its lock yet.
        "new": out / ".other.csv.00000000.tmp",
    }
    kept["new"].write_text("just created")
    future = safewrite._STARTED_NS + 10**9
    os.utime(kept["new"], ns=(future, future))
    locked = _old(out / ".locked.csv.fedcba98.tmp")
    with open(locked) as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # a live writer
        code, _, stderr = newsarc(archive, "export", "--format", "csv", "-o", str(out / "result.csv"))
        assert code == 0, stderr
        assert not stale.exists() and not stale_folder_export.exists()
        assert locked.exists()
    assert all(path.exists() for path in kept.values())
    assert (out / "result.csv").is_file()


def test_stale_temporaries_do_not_make_an_export_folder_count_as_full(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "digest"
    out.mkdir()
    _old(out / ".2021-11-01-first-story.md.0123abcd.tmp")
    code, _, stderr = newsarc(archive, "export", "--format", "frontmatter", "-o", str(out))
    assert code == 0, stderr
    assert sorted(path.name for path in out.iterdir()) == [
        "2021-11-01-first-story.md",
        "2021-11-02-second-story.md",
    ]


def test_import_removes_stale_temporaries_from_its_folder(tmp_path: Path) -> None:
    into = tmp_path / "news"
    into.mkdir()
    stale = _old(into / ".2021-11-01-first-story.md.0123abcd.tmp")
    source = tmp_path / "new.jsonl"
    source.write_text(json.dumps(ARTICLES[0]) + "\n")
    assert import_sources([source], into).added == 1
    assert not stale.exists()


WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from newsarc.safewrite import atomic_text
    with atomic_text(Path(sys.argv[1]), replace=True) as stream:
        stream.write("half")
        stream.flush()
        print("writing", flush=True)
        sys.stdin.read()  # until the test kills us
""")


def test_a_writer_killed_mid_export_leaves_nothing_after_the_next_run(archive: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out / "big.csv")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        (temporary,) = out.iterdir()
        assert safewrite.TEMPORARY_NAME.fullmatch(temporary.name)
        export = [sys.executable, "-m", "newsarc", "--archive", str(archive), "--no-cache",
                  "export", "--format", "csv", "--force", "-o"]  # fmt: skip
        # A second newsarc while the first is alive: the live temporary file is kept.
        subprocess.run([*export, str(out / "a.csv")], check=True, capture_output=True, timeout=60)
        assert temporary.exists()
        writer.kill()
        writer.wait(timeout=60)
        assert temporary.exists()  # SIGKILL: nothing could clean up
        subprocess.run([*export, str(out / "b.csv")], check=True, capture_output=True, timeout=60)
        assert not temporary.exists()
        assert sorted(path.name for path in out.iterdir()) == ["a.csv", "b.csv"]
    finally:
        writer.kill()
        writer.wait(timeout=60)
