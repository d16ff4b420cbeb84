"""A cold build: an index with no files filled from many by worker processes that
write shards, merged here as they come (see `ColdBuild`)."""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from .bulkload import (
    BUILD_INDEXES,
    BUILD_MERGING,
    DEFAULT_MERGING,
    create_build_indexes,
    drop_build_indexes,
    set_merging,
)
from .reads import computed_counts
from .schema import failure_kind, meta, set_meta, write_transaction
from .shards import merge_shard, remove_shard, shard_folder, shard_schema

if TYPE_CHECKING:
    from ...parsing import ArticleFile
    from ...results import ProgressCallback
    from .refresh import Refresh


# Shards merged between two checkpoints of the index's WAL, which then holds at most
# about this many shards' rows.
CHECKPOINT_SHARDS = 2


def finish(connection: sqlite3.Connection, snapshot: bytes) -> None:
    """The counts and the walk's digest, which say the index is complete (in the
    caller's write transaction)."""
    # A cold build killed midway may be completed by a plain refresh: what it set
    # aside for the build is put back here then.
    create_build_indexes(connection)
    set_merging(connection, DEFAULT_MERGING)
    articles, problems = computed_counts(connection)
    files = connection.execute("SELECT count(*) FROM files").fetchone()[0]
    skipped = connection.execute("SELECT count(*) FROM files WHERE skipped IS NOT NULL").fetchone()[0]
    for key, value in (("articles", articles), ("problems", problems), ("files", files),
                       ("skipped", skipped), ("snapshot", snapshot), ("building", None)):
        set_meta(connection, key, value)


class ColdBuild:
    """An index with no files filled from many: worker processes write shards, merged
    here as they come, one transaction each.

    The index commits after each shard and checkpoints its WAL every CHECKPOINT_SHARDS
    shards: one transaction for the whole build grew the WAL past the index's own size.
    While it is built, the indexes of dates, URLs and topics are left out (made at the
    end) and FTS5 merges its segments in larger steps (`schema.BUILD_MERGING`). The counts and the
    snapshot are written last, so until then every newsarc sees an index not yet
    filled and refreshes it: one killed midway is completed by the next run, and a
    build another newsarc completed meanwhile (`building` no longer ours) stops.
    """

    def __init__(self, refresh: Refresh, build: str, folders: dict[str, int],
                 snapshot: bytes, progress: ProgressCallback | None,
                 fingerprint: bytes | None = None) -> None:
        self.fingerprint = fingerprint
        self.refresh = refresh
        self.connection = refresh.connection
        self.build = build
        self.folders = folders
        self.snapshot = snapshot
        self.progress = progress
        self.done = 0
        self.merged = 0

    def run(self, to_parse: list[ArticleFile], workers: int) -> None:
        # In path order, each shard's paths (in `files` and `articles_path`) go in near
        # the end of those B-trees, on a few pages; in the walk's order (a folder's, as
        # its file system lists it) each went to a page of its own, which at 1,000,000
        # files no longer fit the cache and were read and written again for every shard.
        to_parse.sort(key=attrgetter("path"))  # in place: at 1,000,000 files a copy is 8 MB more
        # The indexes left (ids, providers) still take a row of each shard at random
        # places: a cache of 64 MB keeps the pages they touch (SQLite's default is 2 MB).
        self.connection.execute("PRAGMA cache_size = -65536")
        # Checkpoints every CHECKPOINT_SHARDS shards, not at each commit (SQLite's at
        # 1,000 pages is one per shard): each costs two fsyncs, and on a busy disk they
        # were most of the merge's wall time.
        self.connection.execute("PRAGMA wal_autocheckpoint = 0")
        try:
            self._run(to_parse, workers)
        finally:
            self.connection.execute("PRAGMA wal_autocheckpoint = 1000")  # SQLite's default

    def _run(self, to_parse: list[ArticleFile], workers: int) -> None:
        with write_transaction(self.connection):
            if not self._ours():
                return  # another newsarc completed the index
            set_merging(self.connection, BUILD_MERGING)
            drop_build_indexes(self.connection)
        try:
            merged_all = self._merge_shards(to_parse, workers)
        except (OSError, sqlite3.Error) as error:
            # No room or no processes for shards (a full disk, a read-only cache folder
            # for an index in memory): what is left is parsed the way a small refresh is.
            if isinstance(error, sqlite3.Error) and failure_kind(error) != "unwritable":
                raise
            merged_all = False
        # One index a transaction, each checkpointed: at 1,000,000 articles together
        # they are some hundreds of MB, which the WAL would hold at once.
        for number in range(BUILD_INDEXES):
            with write_transaction(self.connection):
                if not self._ours():
                    return  # another newsarc completed the index
                create_build_indexes(self.connection, only=number)
            self._checkpoint()
        with write_transaction(self.connection):
            if not self._ours():
                return
            if not merged_all:
                merged = {path for (path,) in self.connection.execute("SELECT path FROM files")}
                rest = [article_file for article_file in to_parse if article_file.path not in merged]
                self.refresh.insert_files(rest, set(), self.progress, workers,
                                          before=len(to_parse) - len(rest))
            self.connection.executemany("INSERT INTO folders VALUES (?, ?)", self.folders.items())
            finish(self.connection, self.snapshot)
            set_meta(self.connection, "fingerprint", self.fingerprint)
        with contextlib.suppress(sqlite3.Error):  # a reader may hold the WAL: then at its next commit
            self.connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _merge_shards(self, to_parse: list[ArticleFile], workers: int) -> bool:
        """Merge shards as the workers finish them; False when another newsarc took the
        build over (the caller then sees `building` is no longer ours)."""
        folder = shard_folder(self.connection)
        if folder is None:  # an index in memory: its shards go to a folder of their own
            with tempfile.TemporaryDirectory(prefix="newsarc-shards-") as temporary:
                return self._merge_from(to_parse, workers, Path(temporary))
        folder.mkdir(exist_ok=True)
        try:
            return self._merge_from(to_parse, workers, folder)
        finally:
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: another build may be using it

    def _merge_from(self, to_parse: list[ArticleFile], workers: int, folder: Path) -> bool:
        from .workers import build_shards

        shards = build_shards(to_parse, workers, folder, shard_schema(self.connection))
        waiting: list[str] = []
        try:
            for finished, parsed in shards:
                waiting += finished
                while waiting:
                    if not self._merge(waiting[0]):
                        return False
                    remove_shard(waiting.pop(0))
                self.done += parsed
                if self.progress is not None:
                    self.progress(self.done, len(to_parse))
        finally:
            shards.close()
            for shard in waiting:
                remove_shard(shard)
        return True

    def _merge(self, shard: str) -> bool:
        connection = self.connection
        # Attached outside the transaction: SQLite detaches only after the commit.
        connection.execute("ATTACH DATABASE ? AS shard", (shard,))
        try:
            with write_transaction(connection):
                if not self._ours():
                    return False
                merge_shard(connection)
        finally:
            connection.execute("DETACH DATABASE shard")
        self.merged += 1
        if self.merged % CHECKPOINT_SHARDS == 0:
            self._checkpoint()
        return True

    def _checkpoint(self) -> None:
        # At once, not at SQLite's 1,000 pages: the WAL then holds about one shard.
        with contextlib.suppress(sqlite3.Error):
            self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def _ours(self) -> bool:
        return meta(self.connection, "building") == self.build
