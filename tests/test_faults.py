"""Faults: a killed refresh, a damaged index, a full disk, unreadable and vanishing files, link loops.

After each fault the next run must work without a traceback and the index must then
hold exactly the articles and problems of the files on disk, parsed directly.
Tests run as root in CI, where chmod does not stop reads or writes, so unreadable
files and full disks are simulated: a patched `open`, RLIMIT_FSIZE (writes past a
size fail as on a full disk), an index path under a regular file, a named pipe.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsarc.archive import Archive, load_archive
from newsarc.parsing import reading
from newsarc.query import parse_query

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"
CORPUS = (PROJECT / ".." / "shared" / "corpus").resolve()
GENERATE = PROJECT / "benchmarks" / "generate.py"
NEWSARC = [sys.executable, "-m", "newsarc"]
ARCHIVE_SIZE = 3000
FIGURES: dict[str, object] = {}


def newsarc(
    archive: Path, index: Path | str, *args: str, **options: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*NEWSARC, "--archive", str(archive), "--index", str(index), *args],
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )  # type: ignore[call-overload]


def assert_clean(process: subprocess.CompletedProcess[str], codes: tuple[int, ...] = (0,)) -> None:
    assert process.returncode in codes, process.stderr
    assert "Traceback" not in process.stderr and "internal error" not in process.stderr, process.stderr
    assert all(line.startswith("newsarc: ") for line in process.stderr.splitlines()), process.stderr


def index_contents(archive: Path, index: Path | str) -> tuple[set[tuple[str, str]], list[tuple]]:
    listed = newsarc(archive, index, "--fresh", "none", "list", "--json")
    assert_clean(listed, (0, 1))
    checked = newsarc(archive, index, "--fresh", "none", "check", "--json")
    assert_clean(checked, (0, 1))
    articles = {(record["id"], record["path"]) for record in map(json.loads, listed.stdout.splitlines())}
    problems = sorted(
        (p["path"], p["line"], p["message"]) for p in map(json.loads, checked.stdout.splitlines())
    )
    return articles, problems


def files_contents(archive: Path) -> tuple[set[tuple[str, str]], list[tuple]]:
    direct = load_archive(archive)
    return (
        {(article.id, article.path) for article in direct.articles},
        sorted((p.path, p.line, p.message) for p in direct.problems),
    )


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 3000 files: generated like the benchmarks' archives, else copies of the corpus."""
    root = tmp_path_factory.mktemp("faults") / "archive"
    if GENERATE.is_file():
        subprocess.run(
            [sys.executable, str(GENERATE), "--count", str(ARCHIVE_SIZE), "--out", str(root), "--quiet"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    else:
        sources = sorted(path for path in CORPUS.rglob("*") if path.is_file()) or sorted(SEEDS.iterdir())
        root.mkdir()
        for number in range(ARCHIVE_SIZE):
            source = sources[number % len(sources)]
            shutil.copyfile(source, root / f"{number:05d}-{source.name}")
    return root


@pytest.fixture(scope="module")
def big_archive_contents(big_archive: Path) -> tuple[set[tuple[str, str]], list[tuple]]:
    return files_contents(big_archive)


@pytest.fixture(scope="module")
def medium_archive(tmp_path_factory: pytest.TempPathFactory, big_archive: Path) -> Path:
    """A tenth of the big archive: enough for an index of a few megabytes, quick to rebuild."""
    root = tmp_path_factory.mktemp("medium") / "archive"
    root.mkdir()
    for path in sorted(path for path in big_archive.rglob("*") if path.is_file())[::10]:
        shutil.copyfile(path, root / path.name)
    return root


@pytest.fixture(scope="module")
def medium_archive_contents(medium_archive: Path) -> tuple[set[tuple[str, str]], list[tuple]]:
    return files_contents(medium_archive)


# --- killed in the middle of a refresh -------------------------------------------------------


def start_and_kill(archive: Path, index: Path, ready: Callable[[], bool], *args: str) -> float:
    """Start `newsarc index`, SIGKILL it once `ready()`; returns when it was killed (seconds)."""
    process = subprocess.Popen(
        [*NEWSARC, "--archive", str(archive), "--index", str(index), *args, "index"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    started = time.monotonic()
    try:
        while not ready():
            if process.poll() is not None:
                pytest.fail("newsarc finished before the kill point; the archive is too small for this test")
            time.sleep(0.002)
        os.kill(process.pid, signal.SIGKILL)
        killed_at = time.monotonic() - started
        process.wait(timeout=30)
        _assert_no_orphans(process.pid)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return killed_at


def _assert_no_orphans(group: int) -> None:
    """The worker processes of a killed refresh exit by themselves (they see their pipe close)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    os.killpg(group, signal.SIGKILL)  # our own children: do not leave them behind
    pytest.fail("worker processes were left running after newsarc was killed")


def _wal_bigger_than(index: Path, size: int) -> Callable[[], bool]:
    wal = Path(f"{index}-wal")
    return lambda: wal.exists() and wal.stat().st_size > size


KILL_POINTS = {
    "creating": lambda index: lambda: index.exists(),  # the schema is being written
    "inserting": lambda index: _wal_bigger_than(index, 2_000_000),  # batches of articles are going in
}


@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_a_refresh_killed_midway_leaves_an_index_the_next_run_completes(
    tmp_path: Path, big_archive: Path, big_archive_contents: tuple, point: str
) -> None:
    index = tmp_path / "index.sqlite"
    killed_at = start_and_kill(big_archive, index, KILL_POINTS[point](index))
    FIGURES[f"killed while {point} after (s)"] = round(killed_at, 3)
    recovered = newsarc(big_archive, index, "index")
    assert_clean(recovered)
    assert index_contents(big_archive, index) == big_archive_contents


def test_an_incremental_refresh_killed_midway_is_completed_by_the_next(
    tmp_path: Path, big_archive: Path
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(big_archive, archive)
    index = tmp_path / "index.sqlite"
    assert_clean(newsarc(archive, index, "index"))
    files = sorted(path for path in archive.rglob("*") if path.is_file())
    for number, path in enumerate(files[::3]):  # a third of the files change, a few vanish
        if number % 20 == 0:
            path.unlink()
        else:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"\nAn added paragraph {number}.\n")
    killed_at = start_and_kill(archive, index, _wal_bigger_than(index, 500_000))
    FIGURES["killed during an incremental refresh after (s)"] = round(killed_at, 3)
    assert_clean(newsarc(archive, index, "index"))
    assert index_contents(archive, index) == files_contents(archive)


# --- a damaged index -------------------------------------------------------------------------


def _damage(index: Path, how: str) -> None:
    data = index.read_bytes()
    for companion in (Path(f"{index}-wal"), Path(f"{index}-shm")):
        companion.unlink(missing_ok=True)
    if how == "empty":
        index.write_bytes(b"")
    elif how == "garbage":
        index.write_bytes(os.urandom(len(data)))
    elif how.startswith("truncated"):
        index.write_bytes(data[: int(len(data) * float(how.split("-")[1]))])
    elif how.startswith("pages"):  # garbage over some pages in the middle, the header intact
        at = int(len(data) * float(how.split("-")[1])) // 4096 * 4096
        index.write_bytes(data[:at] + os.urandom(4096 * 4) + data[at + 4096 * 4 :])
    elif how == "wal-garbage":
        Path(f"{index}-wal").write_bytes(os.urandom(64 * 1024))


DAMAGE = [
    "empty",
    "truncated-0.01",
    "truncated-0.5",
    "truncated-0.99",
    "pages-0.3",
    "pages-0.6",
    "pages-0.95",
    "wal-garbage",
]


@pytest.fixture(scope="module")
def built_index(tmp_path_factory: pytest.TempPathFactory, medium_archive: Path) -> Path:
    index = tmp_path_factory.mktemp("built") / "index.sqlite"
    assert_clean(newsarc(medium_archive, index, "index"))
    return index


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_index_is_rebuilt_and_answers_match_the_files(
    tmp_path: Path, medium_archive: Path, medium_archive_contents: tuple, built_index: Path, how: str
) -> None:
    big_archive, big_archive_contents = medium_archive, medium_archive_contents
    index = tmp_path / "index.sqlite"
    shutil.copyfile(built_index, index)
    _damage(index, how)
    # Damage found while refreshing is rebuilt at once; damage found by a query removes the
    # index with a one-line error, and the next run rebuilds it. Two runs at most.
    for _ in range(2):
        first = newsarc(big_archive, index, "search", "cloud", "--json")
        assert_clean(first, (0, 1, 2))
        if first.returncode != 2:
            break
        assert "damaged" in first.stderr
    else:
        pytest.fail(f"still failing after a rebuild: {first.stderr}")
    for command in (["list", "--json"], ["stats", "--json"], ["dupes", "--json"], ["fields", "--json"]):
        assert_clean(newsarc(big_archive, index, *command), (0, 1))
    assert index_contents(big_archive, index) == big_archive_contents


# --- a full disk and unwritable index locations ---------------------------------------------


def _limit_file_size(limit: int) -> Callable[[], None]:
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails with EFBIG instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


@pytest.mark.parametrize("limit", [0, 4096, 200_000, 1_000_000])
def test_a_full_disk_falls_back_to_an_in_memory_index_with_a_notice(
    tmp_path: Path, medium_archive: Path, medium_archive_contents: tuple, limit: int
) -> None:
    """Writes past `limit` bytes fail (EFBIG), as they would on a full disk (ENOSPC)."""
    big_archive, big_archive_contents = medium_archive, medium_archive_contents
    index = tmp_path / "index.sqlite"
    process = newsarc(big_archive, index, "list", "--json", preexec_fn=_limit_file_size(limit))
    assert_clean(process)
    assert "in-memory index" in process.stderr
    assert {
        (r["id"], r["path"]) for r in map(json.loads, process.stdout.splitlines())
    } == big_archive_contents[0]
    # With room again, the next run builds the index properly.
    assert_clean(newsarc(big_archive, index, "index"))
    assert index_contents(big_archive, index) == big_archive_contents


def test_a_disk_that_fills_up_after_the_index_was_built_keeps_answering(
    tmp_path: Path, medium_archive: Path, built_index: Path, medium_archive_contents: tuple
) -> None:
    big_archive_contents = medium_archive_contents
    archive = tmp_path / "archive"
    shutil.copytree(medium_archive, archive)
    index = tmp_path / "index.sqlite"
    shutil.copyfile(built_index, index)
    assert_clean(newsarc(archive, index, "index"))
    (archive / "a-new-article.txt").write_text("A new article\n\nWritten while the disk is full.\n")
    size = index.stat().st_size
    process = newsarc(archive, index, "list", "--json", preexec_fn=_limit_file_size(size))
    assert_clean(process)
    assert len(process.stdout.splitlines()) == len(big_archive_contents[0]) + 1
    assert index.stat().st_size >= size  # the index was not deleted for want of space


@pytest.mark.parametrize("where", ["parent-is-a-file", "named-pipe", "folder", "not-an-index"])
def test_an_index_path_that_cannot_be_used_gives_a_notice_and_is_left_alone(
    tmp_path: Path, where: str
) -> None:
    blocker = tmp_path / "blocker"
    if where == "parent-is-a-file":
        blocker.write_text("a regular file")
        index = blocker / "cache" / "index.sqlite"
    elif where == "named-pipe":
        index = tmp_path / "pipe.sqlite"
        os.mkfifo(index)
    elif where == "folder":
        index = tmp_path / "folder.sqlite"
        index.mkdir()
        (index / "keep.txt").write_text("keep me")
    else:
        index = tmp_path / "notes.txt"
        index.write_text("my notes, not an index")
    before = sorted((path.name, path.is_file() and path.read_bytes()) for path in tmp_path.rglob("*"))
    for args in (["list", "--json"], ["index", "--rebuild"]):
        process = newsarc(SEEDS, index, *args)
        assert_clean(process, (0, 2))
        assert len(process.stderr.splitlines()) <= 2
        if process.returncode == 0 and args[0] == "list":
            assert "in-memory index" in process.stderr and len(process.stdout.splitlines()) == 5
    assert sorted((path.name, path.is_file() and path.read_bytes()) for path in tmp_path.rglob("*")) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod 0500")
def test_a_read_only_cache_folder_gives_a_notice(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        process = newsarc(SEEDS, cache / "index.sqlite", "list", "--json")
        assert_clean(process)
        assert "in-memory index" in process.stderr
    finally:
        cache.chmod(0o700)


# --- unreadable, vanishing and odd files ----------------------------------------------------


@pytest.fixture()
def small_archive(tmp_path: Path) -> Path:
    root = tmp_path / "archive"
    shutil.copytree(SEEDS, root)
    for path in root.iterdir():
        path.chmod(0o644)
    return root


def _patched_open(monkeypatch: pytest.MonkeyPatch, fault: Callable[[str], None]) -> None:
    """Make the parser's opening of a file fail (as root, chmod cannot)."""
    real_open = os.open

    def faulty_open(file: object, *args: object, **kwargs: object) -> int:
        fault(os.fspath(file))  # type: ignore[arg-type]
        return real_open(file, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reading.os, "open", faulty_open)


def _only_for(name: str, error: OSError) -> Callable[[str], None]:
    def fault(path: str) -> None:
        if path.endswith(name):
            raise error

    return fault


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (PermissionError(errno.EACCES, "Permission denied"), "cannot read file: Permission denied"),
        (OSError(errno.EIO, "Input/output error"), "cannot read file: Input/output error"),
        (
            FileNotFoundError(errno.ENOENT, "No such file or directory"),
            "file disappeared before it could be read",
        ),
        (IsADirectoryError(errno.EISDIR, "Is a directory"), "is a folder, not a file"),
    ],
)
def test_an_unreadable_file_is_a_problem_and_the_rest_is_indexed(
    small_archive: Path, monkeypatch: pytest.MonkeyPatch, error: OSError, message: str
) -> None:
    victim = "003_b66d24fd8a82dcf1.txt"
    _patched_open(monkeypatch, _only_for(victim, error))
    with Archive.open(small_archive, in_memory=True, workers=1) as archive:
        assert [(p.path, p.message) for p in archive.problems()] == [(victim, message)]
        assert archive.count(parse_query("", _now())) == 4


def test_a_file_deleted_between_the_walk_and_the_read_is_a_problem_then_forgotten(
    small_archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = small_archive / "004_ebcaaf24fa9088d9.txt"

    def delete_first(path: str) -> None:
        if path == str(victim) and victim.exists():
            victim.unlink()  # gone after the walk saw it, before the parser opens it

    _patched_open(monkeypatch, delete_first)
    index = tmp_path / "index.sqlite"
    with Archive.open(small_archive, index=index, workers=1) as archive:
        assert [p.message for p in archive.problems()] == ["file disappeared before it could be read"]
        assert archive.count(parse_query("", _now())) == 4
    monkeypatch.undo()
    with Archive.open(small_archive, index=index) as archive:
        assert archive.problems() == []
        assert archive.report.removed == 1
        assert archive.count(parse_query("", _now())) == 4


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads through chmod 000")
def test_a_file_without_read_permission_is_a_problem(small_archive: Path) -> None:
    victim = small_archive / "003_b66d24fd8a82dcf1.txt"
    victim.chmod(0)
    with Archive.open(small_archive, in_memory=True) as archive:
        assert [p.message for p in archive.problems()] == ["cannot read file: Permission denied"]


def test_pipes_sockets_folders_and_dangling_links_named_like_articles_do_not_stop_it(
    small_archive: Path,
) -> None:
    os.mkfifo(small_archive / "a-pipe.md")  # opening it would wait forever for a writer
    listener = socket.socket(socket.AF_UNIX)
    short = Path(f"/tmp/newsarc-socket-{os.getpid()}.md")
    try:
        listener.bind(str(short))
        os.symlink(short, small_archive / "a-socket.md")
        (small_archive / "a-folder.md").mkdir()
        shutil.copyfile(SEEDS / "000_9d4cac1fec7e3850.txt", small_archive / "a-folder.md" / "inside.txt")
        os.symlink(small_archive / "missing.md", small_archive / "dangling.md")
        process = subprocess.run(
            [*NEWSARC, "--archive", str(small_archive), "--no-cache", "list", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        listener.close()
        short.unlink(missing_ok=True)
    assert_clean(process)
    assert len(process.stdout.splitlines()) == 6  # the five seeds and the one inside the folder


_SWAP_AFTER_THE_WALK = """
import os, sys
import newsarc.parsing.walk as walk
from newsarc.archive import Archive

real_scan = walk.scan_archive

def scan_then_swap(root, *args, **kwargs):
    found = real_scan(root, *args, **kwargs)
    victim = os.path.join(root, "victim.md")
    os.unlink(victim)
    os.mkfifo(victim)  # opening it for reading would wait for a writer forever
    return found

walk.scan_archive = scan_then_swap  # the refresh looks it up when it walks
with Archive.open(sys.argv[1], in_memory=True, workers=1) as archive:
    for problem in archive.problems():
        print(problem.path, problem.message, sep=": ")
"""


def test_a_file_swapped_for_a_named_pipe_after_the_walk_is_a_problem_not_a_hang(small_archive: Path) -> None:
    shutil.copyfile(SEEDS / "000_9d4cac1fec7e3850.txt", small_archive / "victim.md")
    process = subprocess.run([sys.executable, "-c", _SWAP_AFTER_THE_WALK, str(small_archive)],
                             capture_output=True, text=True, timeout=120)
    assert process.returncode == 0, process.stderr
    assert process.stdout == "victim.md: not a regular file (a pipe, socket or device), not read\n"


@pytest.mark.skipif(not os.path.exists("/proc/kmsg"), reason="needs /proc/kmsg")
def test_a_link_to_a_kernel_file_is_not_read(small_archive: Path) -> None:
    os.symlink("/proc/kmsg", small_archive / "kmsg.md")  # as root, reading it waits for kernel messages
    process = subprocess.run(
        [*NEWSARC, "--archive", str(small_archive), "--no-cache", "check"],
        capture_output=True, text=True, timeout=120,
    )
    assert process.returncode == 1, process.stderr
    assert process.stdout.startswith("kmsg.md: "), process.stdout
    assert "Traceback" not in process.stderr


def test_link_loops_are_not_followed_forever(small_archive: Path) -> None:
    nested = small_archive / "2021" / "11"
    nested.mkdir(parents=True)
    shutil.copyfile(SEEDS / "002_dae551df292514b4.txt", nested / "nested.txt")
    os.symlink("..", nested / "up")  # 2021/11/up -> 2021
    os.symlink(small_archive, nested / "root")  # back to the top
    os.symlink("self", small_archive / "self")  # a link to itself
    os.symlink("loop-b", small_archive / "loop-a")
    os.symlink("loop-a", small_archive / "loop-b")
    process = subprocess.run(
        [*NEWSARC, "--archive", str(small_archive), "--no-cache", "list", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert_clean(process)
    paths = [json.loads(line)["path"] for line in process.stdout.splitlines()]
    assert len(paths) == len(set(paths)) == 6


def test_a_non_utf8_file_name_is_indexed_under_a_readable_name(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    raw = os.path.join(os.fsencode(archive), b"caf\xe9-\xff.txt")
    with open(raw, "wb") as handle:
        handle.write(b"A file whose name is Latin-1\n\nIts body.\n")
    folder = os.path.join(os.fsencode(archive), b"d\xe9j\xe0")
    os.mkdir(folder)
    with open(os.path.join(folder, b"inside.txt"), "wb") as handle:
        handle.write(b"Inside a Latin-1 folder\n\nIts body.\n")
    index = tmp_path / "index.sqlite"
    for _ in range(2):  # built, then refreshed with nothing changed
        process = newsarc(archive, index, "list", "--json")
        assert_clean(process)
        records = [json.loads(line) for line in process.stdout.splitlines()]
        assert sorted(record["path"] for record in records) == [
            "caf\\xe9-\\xff.txt",
            "d\\xe9j\\xe0/inside.txt",
        ]
    shown = newsarc(archive, index, "show", "caf\\xe9-\\xff.txt")
    assert_clean(shown)
    assert json.loads(shown.stdout)["title"] == "A file whose name is Latin-1"


def _now() -> object:
    from datetime import datetime, timezone

    return datetime(2021, 12, 20, tzinfo=timezone.utc)


@pytest.fixture(scope="module", autouse=True)
def faults_report() -> Iterator[None]:
    yield
    target = os.environ.get("NEWSARC_RELIABILITY_REPORT")
    if target and FIGURES:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"section": "faults", "archive_files": ARCHIVE_SIZE, **FIGURES}) + "\n")
