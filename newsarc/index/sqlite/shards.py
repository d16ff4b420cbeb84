"""Shards: small SQLite files that worker processes fill with the rows of the files they
parse, merged into the index with one `INSERT ... SELECT` per table.

A cold build parses in worker processes, and shipping each file's rows back to one
process to insert them cost that process more than the parsing saved (pickling,
then a Python insert per row). A worker instead inserts into a shard of its own
(no journal, no fsync: a shard is a temporary file, thrown away when anything goes
wrong), and the index takes a whole shard in a few statements that run in SQLite.

Which tables a shard holds, and which of their columns carry the article's rowid, is
`schema.ROW_TABLES`: a table added there is copied by the merge without code here.
Shards live in `INDEX.shards/` beside the index, named `shard-PID-N.sqlite` after the
worker that wrote them; a shard left by a process that no longer runs (SIGKILL) is
removed by the next refresh.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from .schema import ROW_TABLES

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .workers import ParsedFile

# PRAGMA application_id of a shard ("NASH"), so only files newsarc wrote are removed.
SHARD_APPLICATION_ID = 0x4E415348
# Files per shard: large enough that a merge is a few statements for hundreds of files,
# small enough that the index commits (and checkpoints its WAL) often and that a merge
# ends before the workers have parsed the chunks they hold (they would wait idle).
SHARD_FILES = 500
_SHARD_NAME = re.compile(r"shard-(\d+)-\d+\.sqlite")


def shard_folder(connection: sqlite3.Connection) -> Path | None:
    """The folder for the shards of the index open in `connection`; None in memory."""
    for _, name, file in connection.execute("PRAGMA database_list"):
        if name == "main":
            return Path(f"{file}.shards") if file else None
    return None


def shard_schema(connection: sqlite3.Connection) -> list[str]:
    """CREATE TABLE statements for a shard: the index's ROW_TABLES, with their columns
    and types but none of their indexes or constraints (FTS tables become plain ones:
    the text is tokenised once, by the merge)."""
    statements = []
    for table, _ in ROW_TABLES:
        columns = []
        for _, name, kind, _, _, primary in connection.execute(f"PRAGMA main.table_info({table})"):
            key = " PRIMARY KEY" if primary and kind.upper() == "INTEGER" else ""
            columns.append(f'"{name}" {kind}{key}'.rstrip())
        statements.append(f"CREATE TABLE {table} ({', '.join(columns)})")
    return statements


class ShardWriter:
    """The shard a worker process is filling; runs in the worker."""

    def __init__(self, folder: Path, schema: list[str], insert: Callable[..., None]) -> None:
        self.folder = folder
        self.schema = schema
        self.insert = insert
        self.connection: sqlite3.Connection | None = None
        self.path: Path | None = None
        self.files = 0
        self.number = 0
        self.taken: dict[str, str] = {}

    def add(self, batch: list[ParsedFile]) -> None:
        if self.connection is None:
            self._open()
        assert self.connection is not None
        self.insert(self.connection, batch, self._paths_of_ids)
        # The ids this shard holds, for the duplicate check: a shard has no index on them.
        for parsed in batch:
            for row in parsed.rows:
                self.taken.setdefault(row[0][0], parsed.path)
        self.files += len(batch)

    def _paths_of_ids(self, ids: list[str]) -> dict[str, str]:
        return {article_id: self.taken[article_id] for article_id in ids if article_id in self.taken}

    def _open(self) -> None:
        self.number += 1
        self.path = self.folder / f"shard-{os.getpid()}-{self.number}.sqlite"
        self.connection = sqlite3.connect(self.path, isolation_level=None)
        # No journal and no fsync before the first write: setting the application_id
        # first wrote it through a rollback journal, with four fsyncs per shard that
        # kept the worker waiting on a busy disk.
        self.connection.execute("PRAGMA journal_mode = OFF")
        self.connection.execute("PRAGMA synchronous = OFF")
        self.connection.execute(f"PRAGMA application_id = {SHARD_APPLICATION_ID}")
        for statement in self.schema:
            self.connection.execute(statement)
        self.connection.execute("BEGIN")
        self.files = 0
        self.taken = {}

    def finish(self) -> str | None:
        """Commit and close the shard; its path (None when it holds nothing)."""
        if self.connection is None:
            return None
        self.connection.execute("COMMIT")
        self.connection.close()
        path, self.connection, self.path = self.path, None, None
        return str(path)

    def discard(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(sqlite3.Error):
                self.connection.close()
            if self.path is not None:
                with contextlib.suppress(OSError):
                    self.path.unlink()
            self.connection = self.path = None


def merge_shard(connection: sqlite3.Connection) -> None:
    """Copy every row of `shard` into the index (in the caller's write transaction; the
    shard is attached as `shard` by the caller)."""
    _refuse_taken_ids(connection)
    offset = connection.execute("SELECT coalesce(max(rowid), 0) FROM main.articles").fetchone()[0]
    for table, article_column in ROW_TABLES:
        columns = _columns(connection, table, article_column)
        names = ", ".join(f'"{name}"' for name in columns)
        values = ", ".join(f'"{name}" + {int(offset)}' if name == article_column else f'"{name}"'
                           for name in columns)
        connection.execute(f"INSERT INTO main.{table} ({names}) SELECT {values} FROM shard.{table}")


def _refuse_taken_ids(connection: sqlite3.Connection) -> None:
    """Articles of the shard whose id the index holds already are not indexed: each
    is a problem of its file, as when the rows are inserted one by one."""
    taken = connection.execute(
        "SELECT s.rowid, s.id, s.path, m.path FROM shard.articles AS s JOIN main.articles AS m ON m.id = s.id"
    ).fetchall()
    for rowid, article_id, path, other in taken:
        for table, article_column in ROW_TABLES:
            if article_column is not None:
                connection.execute(f'DELETE FROM shard.{table} WHERE "{article_column}" = ?', (rowid,))
        stored = connection.execute("SELECT problems FROM shard.files WHERE path = ?", (path,)).fetchone()
        problems = json.loads(stored[0]) if stored and stored[0] else []
        problems.append([None, f"an article here has the id {article_id} of one in {other}; "
                               "it is not indexed"])
        connection.execute("UPDATE shard.files SET problems = ? WHERE path = ?", (json.dumps(problems), path))


def _columns(connection: sqlite3.Connection, table: str, article_column: str | None) -> list[str]:
    names = [row[1] for row in connection.execute(f"PRAGMA main.table_info({table})")]
    if article_column == "rowid" and "rowid" not in names:  # FTS tables: the rowid is implicit
        names.insert(0, "rowid")
    return names


def remove_shard(shard: str | Path) -> None:
    """Delete a shard newsarc wrote (its header says so); anything else is left alone."""
    path = Path(shard)
    if _is_shard(path):
        with contextlib.suppress(OSError):
            path.unlink()
    for suffix in ("-journal", "-wal", "-shm"):  # none with journal_mode OFF, unless it failed
        companion = Path(f"{path}{suffix}")
        if companion.exists() and not path.exists():
            with contextlib.suppress(OSError):
                companion.unlink()


def remove_shards_of(folder: Path, pids: Iterator[int] | list[int]) -> None:
    """Delete the shards the given worker processes wrote."""
    wanted = set(pids)
    for path in _shards_in(folder):
        match = _SHARD_NAME.fullmatch(path.name)
        if match and int(match.group(1)) in wanted:
            remove_shard(path)


def remove_stale_shards(folder: Path | None) -> None:
    """Delete shards whose worker no longer runs (a refresh killed midway), then the
    folder when it is empty. Shards of a build running now are left alone."""
    if folder is None or not folder.is_dir():
        return
    for path in _shards_in(folder):
        match = _SHARD_NAME.fullmatch(path.name)
        if match and not process_running(int(match.group(1))):
            remove_shard(path)
    with contextlib.suppress(OSError):
        folder.rmdir()  # only when empty


def _shards_in(folder: Path) -> list[Path]:
    try:
        return [folder / name for name in os.listdir(folder) if _SHARD_NAME.fullmatch(name)]
    except OSError:
        return []


def _is_shard(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if not header:  # created, killed before its first page was written
        return True
    return header.startswith(b"SQLite format 3\x00") and int.from_bytes(header[68:72], "big") == \
        SHARD_APPLICATION_ID


def process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: running
        return True
    return True
