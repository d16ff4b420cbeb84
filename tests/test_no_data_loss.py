"""No data loss: newsarc never writes into the archive it reads.

Every command runs (through the installed entry point, as a user runs it) on a
read-only copy of an archive holding good, bad and odd files in nested folders:
list, search, show, related, stats, dupes, check, index (and --rebuild), fields,
export in every format to a path outside the archive, and import reading from the
archive into a folder outside it. Before and after, every file's bytes (sha256),
mode and size and every folder's listing are recorded: nothing may differ and
nothing may appear. Tests run as root, where chmod a-w does not stop writes, so the
comparison, not the permissions, is the proof. The documented exit codes are checked
on the way.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from newsarc.parsing import article_id

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
DATA = PROJECT / "tests" / "data"
CORPUS = (PROJECT / ".." / "shared" / "corpus").resolve()
NEWSARC = Path(sys.executable).with_name("newsarc")
CAIXIN = article_id("seeds/002_dae551df292514b4.txt")[:8]


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below `root` (root included): type, mode, size and content hash or listing."""
    state: dict[str, tuple] = {}
    for path in [root, *sorted(root.rglob("*"))]:
        info = path.lstat()
        name = path.relative_to(root).as_posix()
        if stat.S_ISLNK(info.st_mode):
            state[name] = ("link", os.readlink(path))
        elif stat.S_ISDIR(info.st_mode):
            state[name] = ("folder", stat.S_IMODE(info.st_mode), sorted(os.listdir(path)), info.st_mtime_ns)
        else:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            state[name] = ("file", stat.S_IMODE(info.st_mode), info.st_size, info.st_mtime_ns, digest)
    return state


def make_read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)


@pytest.fixture()
def read_only_archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    shutil.copytree(SEEDS, root / "seeds")
    shutil.copytree(DATA / "good", root / "good")
    shutil.copytree(DATA / "bad", root / "bad")
    if CORPUS.is_dir():
        (root / "corpus" / "2019").mkdir(parents=True)
        for source in sorted(CORPUS.rglob("*.md"))[:60]:
            shutil.copyfile(source, root / "corpus" / "2019" / source.name)
    (root / "notes.txt").write_text("A plain note\n\nWith a body.\n")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "skipped.md").write_text("---\ntitle: hidden\n---\n")
    os.symlink("seeds", root / "z-link-to-seeds")
    make_read_only(root)
    yield root
    for path in [root, *root.rglob("*")]:  # let pytest clean up
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) | 0o200)


def commands(outside: Path) -> list[tuple[list[str], tuple[int, ...]]]:
    """(arguments, allowed exit codes): every command, the documented code first."""
    runs: list[tuple[list[str], tuple[int, ...]]] = [
        (["list"], (0,)),
        (["list", "--json", "--fields", "id,path"], (0,)),
        (["list", "provider:scmp.com", "--fields", "id,date,title,quality,heat"], (0,)),
        (["search", "sensetime"], (0,)),
        (["search", "zzzz-no-such-word"], (1,)),
        (["list", "provder:scmp.com"], (2,)),
        (["show", CAIXIN], (0,)),
        (["show", "seeds/001_b48525c721f87d7b.txt", "--json"], (0,)),
        (["show", "ffffffffffff"], (1,)),
        (["related", CAIXIN], (0,)),
        (["stats", "--by", "topic"], (0,)),
        (["stats", "--by", "month", "--json"], (0,)),
        (["dupes"], (0, 1)),
        (["check"], (1,)),
        (["check", "--json"], (1,)),
        (["fields"], (0,)),
        (["index"], (0,)),
        (["index", "--rebuild"], (0,)),
    ]
    for name in ("json", "jsonl", "csv", "tsv", "markdown", "html", "opensearch"):
        runs.append((["export", "--format", name, "--output", str(outside / f"export.{name}")], (0,)))
    runs.append((["export", "--format", "frontmatter", "--output", str(outside / "frontmatter")], (0,)))
    runs.append((["export", "--format", "csv"], (0,)))
    return runs


def refused_exports(archive: Path) -> list[tuple[list[str], tuple[int, ...]]]:
    """Exports aimed into the archive itself: refused, with nothing written."""
    return [
        (["export", "--format", "jsonl", "--output", str(archive / "export.jsonl")], (2,)),
        (["export", "--format", "frontmatter", "--output", str(archive / "seeds")], (2,)),
        (
            [
                "export",
                "--format",
                "csv",
                "--output",
                str(archive / "seeds" / "001_b48525c721f87d7b.txt"),
                "--force",
            ],
            (2,),
        ),
    ]


def run(
    archive: Path, cwd: Path, environment: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEWSARC), "--archive", str(archive), "--no-pager", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )


@pytest.mark.parametrize("index_option", ["cache", "no-cache"])
def test_no_command_writes_into_a_read_only_archive(
    tmp_path: Path, read_only_archive: Path, index_option: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    environment = {
        **os.environ,
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "NO_COLOR": "1",
        "COLUMNS": "100",
    }
    for name in ("NEWSARC_ARCHIVE", "NEWSARC_INDEX", "NEWSARC_CONFIG"):
        environment.pop(name, None)
    options = {
        "cache": [],
        "index-file": ["--index", str(tmp_path / "index.sqlite")],
        "no-cache": ["--no-cache"],
    }[index_option]
    before = snapshot(read_only_archive)
    ran = 0
    for arguments, codes in commands(outside) + refused_exports(read_only_archive):
        if index_option == "no-cache" and arguments[0] == "index" and "--rebuild" in arguments:
            continue
        # Run from inside the archive: the current folder must not be written either.
        process = run(read_only_archive, read_only_archive, environment, *options, *arguments)
        assert process.returncode in codes, (arguments, process.returncode, process.stderr)
        assert "Traceback" not in process.stderr and "internal error" not in process.stderr, process.stderr
        ran += 1
    imported = subprocess.run(
        [
            str(NEWSARC),
            "import",
            str(read_only_archive / "seeds"),
            str(read_only_archive / "good"),
            "--into",
            str(outside / "imported"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=read_only_archive,
    )
    assert "Traceback" not in imported.stderr
    assert snapshot(read_only_archive) == before
    assert ran >= 25
    assert (outside / "export.jsonl").stat().st_size > 0


def test_an_index_inside_the_archive_is_refused_and_nothing_is_written(
    tmp_path: Path, read_only_archive: Path
) -> None:
    before = snapshot(read_only_archive)
    for index in (
        read_only_archive / "index.sqlite",
        read_only_archive / "seeds" / "x.sqlite",
        read_only_archive / "z-link-to-seeds" / "x.sqlite",
    ):
        process = run(read_only_archive, tmp_path, dict(os.environ), "--index", str(index), "list")
        assert process.returncode == 2
        assert "inside the archive" in process.stderr and len(process.stderr.splitlines()) == 1
    assert snapshot(read_only_archive) == before


def test_exit_codes_of_the_installed_command(tmp_path: Path) -> None:
    """The entry point returns the documented codes (click's own runner does not go through it)."""
    environment = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "XDG_CONFIG_HOME": str(tmp_path)}
    for arguments, code in (
        (["list"], 0),
        (["search", "zzzz-nothing"], 1),
        (["show", "ffffffff"], 1),
        (["list", "provder:x"], 2),
        (["--archive", str(tmp_path / "missing"), "list"], 2),
        (["list", "--limit", "-1"], 2),
    ):
        full = arguments if arguments[0] == "--archive" else ["--archive", str(SEEDS), *arguments]
        process = subprocess.run(
            [str(NEWSARC), *full], capture_output=True, text=True, timeout=60, env=environment
        )
        assert process.returncode == code, (arguments, process.returncode, process.stderr)
    bad = subprocess.run(
        [str(NEWSARC), "--archive", str(DATA / "bad"), "--no-cache", "check"],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
    )
    assert bad.returncode == 1 and len(bad.stdout.splitlines()) == len(list((DATA / "bad").iterdir()))
    records = [
        json.loads(line)
        for line in subprocess.run(
            [str(NEWSARC), "--archive", str(SEEDS), "--no-cache", "list"],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment,
        ).stdout.splitlines()
    ]
    assert len(records) == 5
