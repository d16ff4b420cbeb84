"""The SQLite/FTS5 index: one database file per archive (or one in memory).

`schema` creates and opens the database, `refresh` brings it up to date (parsing in
`workers`), `compile` turns a query's syntax tree into SQL, and `reads` answers every
question with model objects. `SqliteIndex` ties them to one connection.
"""

from __future__ import annotations

import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from ...errors import StoreError
from ...results import RefreshReport
from ...userdirs import cache_folder
from .. import NotAnIndexError, WordNeighbour
from . import reads, vocabulary
from .schema import MEMORY, FailureKind, connect, failure_kind, meta, read_transaction, remove_database

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Generator, Iterator, Sequence

    from ...model import Article, Problem
    from ...query import Query
    from ...results import DuplicateGroup, Heartbeat, Hit, Page, ProgressCallback, Stats
    from .walkahead import WalkAhead

_T = TypeVar("_T")


class SqliteIndex:
    """An open SQLite index of one archive folder (implements `newsarc.index.Index`)."""

    def __init__(self, connection: sqlite3.Connection, root: Path, location: str) -> None:
        self.connection = connection
        self.root = root
        self.location = location
        # Streams handed out and perhaps abandoned half-read (a closed pipe, Ctrl-C):
        # closed before the connection, so none finishes its read transaction on a
        # closed database when the garbage collector gets to it.
        self._streams: weakref.WeakSet[Generator[object, None, None]] = weakref.WeakSet()
        self._walk_ahead: WalkAhead | None = None
        self._reading_ahead = False  # in the read transaction the walk ahead began

    @classmethod
    def open(cls, root: Path, database: Path | None, notices: list[str], *,
             rebuild: bool = False) -> SqliteIndex:
        """The index at `database` (None means memory); see `schema.connect`."""
        location = MEMORY if database is None else str(database)
        return cls(connect(database, notices, rebuild=rebuild), root, location)

    @property
    def in_memory(self) -> bool:
        return self.location == MEMORY

    @property
    def filled(self) -> bool:
        return meta(self.connection, "files") is not None

    def refresh(self, *, mode: str = "full", progress: ProgressCallback | None = None,
                workers: int | None = None, trust_watcher: bool = True,
                deferred: bool = False) -> RefreshReport:
        self._end_reading_ahead()
        if mode == "full" and deferred and trust_watcher and not self.in_memory:
            from .walkahead import start

            self._walk_ahead = start(self.connection, self.root)
            self._reading_ahead = self._walk_ahead is not None
            if self._walk_ahead is not None:  # the index as it is, until `settle` says it holds
                return _report_as_it_is(self.connection) or RefreshReport()
        if mode == "none":
            report = _report_as_it_is(self.connection)
            if report is not None:
                return report
        # The walk, the parsers and the watcher's handshake load only when the folder is looked at.
        from .refresh import Refresh

        return Refresh(self.connection, self.root).refresh(mode=mode, progress=progress, workers=workers,
                                                           trust_watcher=trust_watcher)

    @property
    def walking_ahead(self) -> bool:
        return self._walk_ahead is not None

    def settle(self) -> bool:
        """After a deferred refresh: wait for its walk; True when the index as read so
        far holds (it stays read as it is, in the walk's read transaction, so that the
        command's later questions answer from the same index), False when the archive
        changed: then every stream read from it is closed and the caller refreshes and
        asks again."""
        walk, self._walk_ahead = self._walk_ahead, None
        if walk is None:
            return True
        try:
            holds = walk.holds()
        finally:
            walk.stop()  # an interrupted wait (Ctrl-C, an error) still ends the child
        if holds:
            return True
        for stream in list(self._streams):
            stream.close()
        self._end_reading_ahead()
        return False

    def _end_reading_ahead(self) -> None:
        """Before a write (a refresh, a heartbeat), which needs a transaction of its own."""
        if self._reading_ahead:
            self._reading_ahead = False
            if self.connection.in_transaction:
                self.connection.execute("COMMIT")

    def folders(self) -> list[str]:
        return reads.folders(self.connection)

    def beat(self, heartbeat: Heartbeat) -> None:
        from .heartbeat import write

        self._end_reading_ahead()
        write(self.connection, heartbeat)

    def end_watch(self, pid: int) -> None:
        from .heartbeat import clear

        self._end_reading_ahead()
        clear(self.connection, pid)

    def close(self) -> None:
        if self._walk_ahead is not None:
            self._walk_ahead.stop()
            self._walk_ahead = None
        for stream in list(self._streams):
            stream.close()
        self.connection.close()

    def remove(self) -> None:
        if not self.in_memory:
            remove_database(Path(self.location))

    def failure_kind(self, error: BaseException) -> FailureKind | None:
        return failure_kind(error)

    # questions ---------------------------------------------------------------------------

    def search(self, query: Query, limit: int | None, offset: int) -> Page:
        with read_transaction(self.connection):
            return reads.search_page(self.connection, query, limit, offset)

    def count(self, query: Query) -> int:
        return reads.count(self.connection, query)

    def iter_hits(self, query: Query, limit: int | None, offset: int) -> Iterator[Hit]:
        return self._stream(self._snapshot_hits(query, limit, offset))

    def iter_articles(self, query: Query, limit: int | None, offset: int) -> Iterator[Article]:
        records = self._records(query, limit, offset)
        return self._stream(reads.article_from_record_json(record_json) for record_json in records)

    def iter_record_json(self, query: Query, limit: int | None, offset: int) -> Iterator[str]:
        return self._records(query, limit, offset)

    def iter_paths(self, query: Query, limit: int | None, offset: int) -> Iterator[tuple[str, int | None]]:
        return self._stream(reads.path_page(self.connection, query, limit, offset))

    def articles_with_id_prefix(self, prefix: str) -> list[Article]:
        return reads.articles_with_id_prefix(self.connection, prefix)

    def articles_at_path(self, path: str) -> list[Article]:
        return reads.articles_at_path(self.connection, path)

    def articles_with_url(self, canonical: str) -> list[Article]:
        return reads.articles_with_url(self.connection, canonical)

    def article_id_for_url(self, canonical: str) -> str | None:
        return reads.article_id_for_url(self.connection, canonical)

    def linked_from(self, canonicals: list[str], article_id: str) -> list[Article]:
        return reads.linked_from(self.connection, canonicals, article_id)

    def stats(self, query: Query, by: str, top: int | None) -> Stats:
        return reads.stats(self.connection, query, by, top)

    def duplicates(self, query: Query) -> list[DuplicateGroup]:
        return reads.duplicates(self.connection, query)

    def field_examples(self, field_name: str, limit: int) -> list[str]:
        return reads.field_examples(self.connection, field_name, limit)

    def problems(self) -> list[Problem]:
        return reads.problems(self.connection)

    def counts(self) -> tuple[int, int]:
        return reads.counts(self.connection)

    def skipped_files(self) -> list[tuple[str, str]]:
        return reads.skipped_files(self.connection)

    def word_articles(self, words: Sequence[str], field: str | None, at_most: int) -> dict[str, int]:
        return vocabulary.article_counts(self.connection, words, field, at_most)

    def word_neighbours(self, word: str, field: str | None) -> list[WordNeighbour]:
        return vocabulary.neighbours(self.connection, word, field)

    # streams -----------------------------------------------------------------------------

    def _stream(self, stream: Generator[_T, None, None]) -> Generator[_T, None, None]:
        self._streams.add(stream)
        return stream

    def _records(self, query: Query, limit: int | None, offset: int) -> Generator[str, None, None]:
        return self._stream(self._snapshot_records(query, limit, offset))

    def _snapshot_hits(self, query: Query, limit: int | None, offset: int) -> Generator[Hit, None, None]:
        with read_transaction(self.connection):
            yield from reads.hit_stream(self.connection, query, limit, offset)

    def _snapshot_records(self, query: Query, limit: int | None, offset: int) -> Generator[str, None, None]:
        # The ids and their records are read in one transaction: a refresh committed
        # meanwhile by another newsarc must not make records vanish from an export.
        with read_transaction(self.connection):
            yield from reads.record_json_page(self.connection, query, limit, offset)


def _report_as_it_is(connection: sqlite3.Connection) -> RefreshReport | None:
    """What `Refresh.refresh(mode="none")` reports for a filled index, without importing
    the walk (`--fresh none` answers from the index as it is); None for an index never
    filled, which gets its first walk whatever the mode."""
    started = time.perf_counter()
    stored_files = meta(connection, "files")
    if stored_files is None:
        return None
    report = RefreshReport(unchanged=int(stored_files))
    report.articles, report.problems = reads.counts(connection)
    report.skipped = reads.skipped_count(connection)
    report.seconds = time.perf_counter() - started
    return report


# --- where the index lives, and what answers when it cannot be used ------------------------


def open_sqlite_index(root: Path, location: str | Path | None, notices: list[str], *,
                      in_memory: bool = False, rebuild: bool = False) -> SqliteIndex:
    """See `newsarc.index.open_index`."""
    if in_memory:
        return SqliteIndex.open(root, None, notices)
    database = _database_path(root, location)
    try:
        return SqliteIndex.open(root, database, notices, rebuild=rebuild)
    except NotAnIndexError:
        raise  # another program's file: an error, never a reason to work around it
    except StoreError as error:
        if "locked" in error.message:
            raise
        notices.append(f"{error.message}; using an in-memory index for this run")
        return SqliteIndex.open(root, None, notices)
    except Exception as error:  # creating the index failed: a full disk, a read-only folder
        if failure_kind(error) != "unwritable":
            raise
        notices.append(f"cannot write the index {database} ({error}); using an in-memory index for this run")
        return SqliteIndex.open(root, None, notices)


def default_cache_dir() -> Path:
    return cache_folder() / "indexes"


def database_path_for(root: Path, cache_dir: Path) -> Path:
    """The per-archive database in the cache folder: one file per archive path."""
    import hashlib  # OpenSSL's loading costs a command given --index ~10 ms

    resolved = str(root.resolve())
    digest = hashlib.sha1(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in root.resolve().name)[:40] or "root"
    return cache_dir / f"{name}-{digest}.sqlite"


def _database_path(root: Path, index: str | Path | None) -> Path:
    database = Path(index) if index is not None else database_path_for(root, default_cache_dir())
    resolved_root = root.resolve()
    resolved = database.resolve()
    if resolved_root == resolved or resolved_root in resolved.parents:
        raise StoreError(f"the index {database} would be inside the archive, and newsarc never writes there",
                         hint="pass --index with a path outside the archive, or --no-cache")
    return database
