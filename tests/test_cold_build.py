"""The cold build through worker shards: the same index as one process builds, a WAL
bounded by the shards (not by the archive), and no shard left behind by a finished,
interrupted or killed build.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from newsarc.archive import Archive
from newsarc.index.sqlite import coldbuild, inserts, shards, workers
from newsarc.index.sqlite.bulkload import BUILD_MERGING, DEFAULT_MERGING
from newsarc.index.sqlite.schema import FTS_TABLES, ROW_TABLES
from newsarc.parsing import ArticleFile
from newsarc.query import parse_query

PROJECT = Path(__file__).resolve().parent.parent
GENERATE = PROJECT / "benchmarks" / "generate.py"
NEWSARC = [sys.executable, "-m", "newsarc"]
# Over the 400 files below which nothing is parsed in worker processes.
ARCHIVE_SIZE = 1200


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cold") / "archive"
    generate = [sys.executable, str(GENERATE), "--count", str(ARCHIVE_SIZE), "--out", str(root), "--quiet"]
    subprocess.run(generate, check=True, capture_output=True, timeout=300)
    return root


def contents(archive: Path, index: Path | None, workers: int) -> tuple[int, set[str], list[tuple], dict]:
    """(files, article ids, problems, every row of every ROW_TABLES table keyed by article id)."""
    with Archive.open(archive, index=index, in_memory=index is None, workers=workers) as opened:
        problems = sorted((p.path, p.line, p.message) for p in opened.problems())
        connection = opened.index.connection  # type: ignore[attr-defined]
        ids = {row[0] for row in connection.execute("SELECT id FROM articles")}
        files = connection.execute("SELECT count(*) FROM files").fetchone()[0]
        rows = {}
        for table, column in ROW_TABLES:  # rowids differ between builds; article ids do not
            if column is None:
                continue
            names = [row[1] for row in connection.execute(f"PRAGMA table_info({table})") if row[1] != column]
            selected = ", ".join(f't."{name}"' for name in names)
            rows[table] = sorted(connection.execute(
                f'SELECT a.id, {selected} FROM {table} AS t JOIN articles AS a ON a.rowid = t."{column}"'),
                key=repr)
    return files, ids, problems, rows


def test_a_build_from_shards_equals_one_built_in_one_process(archive: Path, tmp_path: Path) -> None:
    alone = contents(archive, None, workers=1)
    index = tmp_path / "index.sqlite"
    sharded = contents(archive, index, workers=2)
    assert sharded == alone
    assert sharded[0] > workers.PARALLEL_THRESHOLD and sharded[2]  # parsed by workers, bad files too
    assert not Path(f"{index}.shards").exists()  # the shards went as they were merged


@pytest.mark.parametrize("sort", ["date", "date-asc", "title", "provider"])
def test_a_build_from_shards_lists_ties_in_the_order_one_process_does(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    """Workers finish their shards in no fixed order, and articles are numbered as the
    shards are merged: ties (undated articles, equal times, equal titles) must still
    come out in one order, whichever build made the index."""
    monkeypatch.setattr(workers, "SHARD_FILES", 100)  # a dozen shards, merged as they come
    listings = []
    for index, count in ((None, 1), (tmp_path / "index.sqlite", 2)):
        with Archive.open(archive, index=index, in_memory=index is None, workers=count) as opened:
            hits = opened.search(parse_query(f"sort:{sort}", datetime.now(timezone.utc))).hits
            listings.append([(hit.article.path, hit.article.published, hit.article.title) for hit in hits])
    alone, sharded = listings
    keys = {"date": 1, "date-asc": 1, "title": 2, "provider": 1}
    tied = len(alone) - len({row[keys[sort]] for row in alone})
    assert tied  # the archive has ties to order (undated articles among them)
    assert sharded == alone


def test_the_wal_of_a_cold_build_stays_bounded_by_the_shards(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One transaction for the whole build grew the WAL to the size of the index;
    a commit per shard, checkpointed every few shards, keeps it to about those shards' worth."""
    monkeypatch.setattr(workers, "SHARD_FILES", 50)  # about 24 shards for this archive
    assert coldbuild.CHECKPOINT_SHARDS <= 2  # so the WAL holds about a twelfth of them
    index = tmp_path / "index.sqlite"
    wal = Path(f"{index}-wal")
    largest = [0]

    def progress(done: int, total: int) -> None:
        largest[0] = max(largest[0], wal.stat().st_size if wal.exists() else 0)

    with Archive.open(archive, index=index, workers=2, progress=progress) as opened:
        assert opened.index.filled  # type: ignore[attr-defined]
        size = index.stat().st_size
    assert 0 < largest[0] < size / 3, (largest[0], size)


Layout = tuple[list[tuple[str, str]], dict[str, dict[str, int]]]


def _layout(index: Path) -> Layout:
    """The index's own indexes (name, SQL), and each full-text table's merge settings."""
    connection = sqlite3.connect(index)
    try:
        indexes = sorted(connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
        merging = {}
        for table in FTS_TABLES:
            stored = dict(connection.execute(f"SELECT k, v FROM {table}_config"))
            merging[table] = {name: stored.get(name, value) for name, value in DEFAULT_MERGING.items()}
    finally:
        connection.close()
    return indexes, merging


def _layout_of_one_process(archive: Path, index: Path) -> Layout:
    with Archive.open(archive, index=index, workers=1):
        pass
    return _layout(index)


def test_a_cold_build_merges_in_bulk_and_leaves_the_index_one_process_makes(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While shards are merged the index has none of the indexes of dates, URLs and topics
    and FTS5 merges sixteen segments at a time (each row is rewritten about half as
    often), incrementally; once built it has every index and FTS5's settings as any other index."""
    monkeypatch.setattr(workers, "SHARD_FILES", 100)  # a dozen shards, seen as they merge
    expected = _layout_of_one_process(archive, tmp_path / "alone.sqlite")
    index = tmp_path / "index.sqlite"
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(_layout(index))

    with Archive.open(archive, index=index, workers=2, progress=progress) as opened:
        assert opened.index.filled  # type: ignore[attr-defined]
    during = seen[len(seen) // 2]
    assert {name for name, _ in during[0]} < {name for name, _ in expected[0]}
    assert {name for name, _ in expected[0]} - {name for name, _ in during[0]} >= {
        "articles_newest", "urls_canonical"}
    assert during[1] == dict.fromkeys(FTS_TABLES, BUILD_MERGING)
    assert BUILD_MERGING["automerge"] == 16
    assert _layout(index) == expected
    assert expected[1] == dict.fromkeys(FTS_TABLES, DEFAULT_MERGING)


def test_a_killed_build_completed_by_a_refresh_in_one_process_gets_every_index(
    archive: Path, tmp_path: Path
) -> None:
    expected = _layout_of_one_process(archive, tmp_path / "alone.sqlite")
    index = tmp_path / "index.sqlite"
    process = _start(archive, index)
    _wait_for_a_shard(process, Path(f"{index}.shards"))
    os.killpg(process.pid, signal.SIGKILL)  # the whole group, workers too
    process.wait(timeout=30)
    _wait_for_group_to_end(process.pid)
    with Archive.open(archive, index=index, workers=1) as opened:  # too few workers for a cold build
        assert opened.index.filled  # type: ignore[attr-defined]
    assert _layout(index) == expected
    listed = _run(archive, index, "--fresh", "none", "list", "--json")
    assert {json.loads(line)["id"] for line in listed.stdout.splitlines()} == _expected_ids(archive)


def _run(archive: Path, index: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*NEWSARC, "--archive", str(archive), "--index", str(index), *args],
                          capture_output=True, text=True, timeout=300)


def _start(archive: Path, index: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*NEWSARC, "--archive", str(archive), "--index", str(index), "index"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


def _wait_for_a_shard(process: subprocess.Popen[bytes], folder: Path) -> None:
    while not (folder.is_dir() and any(folder.iterdir())):
        if process.poll() is not None:
            pytest.fail("newsarc finished before it wrote a shard")
        time.sleep(0.002)


def _wait_for_group_to_end(group: int) -> None:
    for _ in range(2000):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    os.killpg(group, signal.SIGKILL)
    pytest.fail("worker processes outlived newsarc")


def _expected_ids(archive: Path) -> set[str]:
    return contents(archive, None, workers=1)[1]


def test_ctrl_c_during_a_cold_build_leaves_no_shard(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    folder = Path(f"{index}.shards")
    process = _start(archive, index)
    _wait_for_a_shard(process, folder)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr.decode()) == (130, "newsarc: interrupted\n")
    _wait_for_group_to_end(process.pid)
    assert not folder.exists() or list(folder.iterdir()) == []
    listed = _run(archive, index, "list", "--json")
    assert listed.returncode in (0, 1), listed.stderr
    assert len(listed.stdout.splitlines()) == len(_expected_ids(archive))
    assert not folder.exists()


def test_shards_of_a_killed_build_are_removed_by_the_next_run(archive: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    folder = Path(f"{index}.shards")
    process = _start(archive, index)
    _wait_for_a_shard(process, folder)
    os.kill(process.pid, signal.SIGKILL)  # the main process alone: its workers see their pipes close
    process.wait(timeout=30)
    _wait_for_group_to_end(process.pid)
    # What a build killed with its workers (the whole group, or a power cut) leaves:
    # a shard of a process that no longer runs, beside a file newsarc did not write.
    dead = _a_dead_pid()
    folder.mkdir(exist_ok=True)
    stale = folder / f"shard-{dead}-1.sqlite"
    connection = sqlite3.connect(stale)
    connection.execute(f"PRAGMA application_id = {shards.SHARD_APPLICATION_ID}")
    connection.execute("CREATE TABLE files (path)")
    connection.commit()
    connection.close()
    foreign = folder / f"shard-{dead}-2.sqlite"
    foreign.write_text("not newsarc's\n")

    recovered = _run(archive, index, "index")
    assert recovered.returncode in (0, 1), recovered.stderr
    assert "Traceback" not in recovered.stderr
    assert sorted(path.name for path in folder.iterdir()) == [foreign.name]  # only the foreign file stays
    assert foreign.read_text() == "not newsarc's\n"
    listed = _run(archive, index, "list", "--json")
    assert len(listed.stdout.splitlines()) == len(_expected_ids(archive))


def test_a_command_started_during_a_cold_build_waits_for_the_whole_index(
    archive: Path, tmp_path: Path
) -> None:
    """The build commits shard by shard; another newsarc must neither answer from the part
    nor take the build over (which left the first with a report of half the archive)."""
    index = tmp_path / "index.sqlite"
    expected = _expected_ids(archive)
    builder = _start(archive, index)
    _wait_for_a_shard(builder, Path(f"{index}.shards"))
    listed = _run(archive, index, "list", "--json")
    _, stderr = builder.communicate(timeout=300)
    assert {json.loads(line)["id"] for line in listed.stdout.splitlines()} == expected
    assert f"{len(expected)} articles" in stderr.decode()


def test_an_article_of_a_shard_with_a_taken_id_is_a_problem_of_its_file(tmp_path: Path) -> None:
    """Ids come from paths, so only a collision could repeat one: still one line, never an error."""
    index = tmp_path / "index.sqlite"
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "a.md").write_text("---\ntitle: First\n---\nbody\n")
    with Archive.open(archive, index=index, workers=1) as opened:
        connection = opened.index.connection  # type: ignore[attr-defined]
        taken = connection.execute("SELECT id FROM articles").fetchone()[0]
        shard = tmp_path / "shard.sqlite"
        writer = sqlite3.connect(shard)
        for statement in shards.shard_schema(connection):
            writer.execute(statement)
        parsed = workers.parse_for_index(_article_file(archive, "b.md", "---\ntitle: Second\n---\n"))
        parsed.rows = [((taken, *parsed.rows[0][0][1:]), *parsed.rows[0][1:])]
        inserts.insert_parsed(writer, [parsed], lambda ids: {})
        writer.commit()
        writer.close()
        connection.execute("ATTACH DATABASE ? AS shard", (str(shard),))
        connection.execute("BEGIN IMMEDIATE")
        shards.merge_shard(connection)
        connection.execute("COMMIT")
        connection.execute("DETACH DATABASE shard")
        rows = connection.execute("SELECT path, problems FROM files ORDER BY path").fetchall()
        titles = [row[0] for row in connection.execute("SELECT title FROM articles")]
    assert titles == ["First"]
    refused = f"an article here has the id {taken} of one in a.md; it is not indexed"
    assert rows == [("a.md", None), ("b.md", f'[[null, "{refused}"]]')]


def _article_file(archive: Path, name: str, text: str) -> ArticleFile:
    path = archive / name
    path.write_text(text)
    info = path.stat()
    return ArticleFile(name, str(archive), info.st_size, info.st_mtime_ns, info.st_ino, info.st_ctime_ns)


def _a_dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid
