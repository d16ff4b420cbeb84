"""Bringing the SQLite index up to date: the walk compared with the last one, the
files that changed parsed (in worker processes when many), their rows inserted.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ...results import ProgressCallback, RefreshReport
from . import heartbeat
from .coldbuild import ColdBuild, finish
from .listings import decode_listings, encode_listings
from .reads import counts, skipped_count
from .schema import FTS_TABLES, ROW_TABLES, delete_texts, meta, set_meta, write_transaction
from .shards import process_running, remove_stale_shards, shard_folder

if TYPE_CHECKING:

    from ...model import Problem
    from ...parsing import ArticleFile, Listing
    from .workers import ParsedFile

# Parsed files written per round of INSERT statements.
INSERT_BATCH = 200


class Refresh:
    """One refresh of the index in `connection` from the archive folder `root`."""

    def __init__(self, connection: sqlite3.Connection, root: Path) -> None:
        self.connection = connection
        self.root = root

    def refresh(
        self,
        *,
        mode: str = "full",
        progress: ProgressCallback | None = None,
        workers: int | None = None,
        trust_watcher: bool = True,
    ) -> RefreshReport:
        """Bring the index up to date with the archive folder.

        mode "full" stats every file, so every in-place edit is seen. mode "dirs"
        trusts folder modification times like notmuch: when no folder's mtime moved,
        nothing is walked; adding, removing or renaming a file moves its folder's
        mtime, so those are seen at once (by a full walk), and in-place edits at the
        next full refresh. mode "none" uses the index as it is.

        While `newsarc watch` runs and vouches for the index (see `heartbeat`), "full"
        and "dirs" skip the walk; `trust_watcher` False (the watcher's own refresh) walks.
        """
        started = time.perf_counter()
        report = RefreshReport()
        stored_files = meta(self.connection, "files")
        # An index never filled starts with a full walk, whatever the mode.
        watched = stored_files is not None and mode != "none" and trust_watcher
        if watched and heartbeat.vouches(self.connection):
            report.unchanged = int(stored_files)
            report.watched = True
        elif stored_files is None or mode == "full" or (mode == "dirs" and self._folders_changed()):
            try:
                self._refresh_files(report, progress, workers)
            except BuildUnderWay:
                # Another newsarc is building the index, committing as it goes: what
                # it holds now is part of an archive, so this run waits for the whole.
                self._wait_for_build()
                report = RefreshReport()
                self._refresh_files(report, progress, workers)
        else:
            report.unchanged = int(stored_files)
        report.articles, report.problems = counts(self.connection)
        report.skipped = skipped_count(self.connection)
        report.seconds = time.perf_counter() - started
        return report

    def _refresh_files(self, report: RefreshReport, progress: ProgressCallback | None,
                       workers: int | None) -> None:
        # Loaded only to walk: `--fresh dirs` with no folder changed and a watched index need neither.
        from ...parsing.walk import scan_archive, stat_walk
        from ..walkdiff import diff_walk, walk_digest

        known_listings = decode_listings(meta(self.connection, "listings"))
        walked = stat_walk(self.root, known_listings)
        fingerprint = walked.fingerprint()
        if self._fingerprint_holds(fingerprint, report):
            return
        folders: dict[str, int] = {}
        real_paths: dict[str, str] = {}
        walk_problems: list[Problem] = []
        listings: dict[str, Listing] = {}
        current = scan_archive(self.root, walk_problems, folder_mtimes=folders, real_paths=real_paths,
                               listings=listings, walked=walked)
        unreadable = sorted([problem.path, problem.message] for problem in walk_problems)
        # The walk as the index holds it, compared at once with the last one: it also
        # holds when the stats alone could not vouch (a file that cannot be read).
        snapshot = walk_digest(current, folders, unreadable)
        if snapshot == meta(self.connection, "snapshot"):
            report.unchanged = len(current)
            self._remember_walk(snapshot, listings, fingerprint, _relisted(listings, known_listings))
            return
        # The index is compared with the walk under the write lock: another newsarc may
        # have refreshed it since the read above, and a diff against what it held then
        # would insert files twice.
        with write_transaction(self.connection):
            if snapshot == meta(self.connection, "snapshot"):  # another refresh just made it
                report.unchanged = len(current)
                return
            if _builder_running(meta(self.connection, "building")):
                raise BuildUnderWay
            known = {path: tuple(stat) for path, *stat in
                     self.connection.execute("SELECT path, size, mtime_ns, inode, ctime_ns FROM files")}
            diff = diff_walk(self.root, current, real_paths, known, unreadable, report)
            to_parse, removed = diff.to_parse, diff.removed
            set_meta(self.connection, "unreadable", json.dumps(unreadable) if unreadable else None)
            set_meta(self.connection, "listings", encode_listings(listings))
            # Until `finish` writes this walk's (with `files`), none vouches for the index.
            set_meta(self.connection, "fingerprint", None)
            remove_stale_shards(shard_folder(self.connection))
            from .workers import PARALLEL_THRESHOLD  # the parsers load only when a file changed

            count = workers if workers is not None else (os.cpu_count() or 1)
            # An index not filled yet (new, or a build killed midway) that only gains files.
            cold = (meta(self.connection, "files") is None and not removed and not report.changed
                    and count > 1 and len(to_parse) >= PARALLEL_THRESHOLD)
            if not cold:
                self._apply(to_parse, removed, known, folders, snapshot, progress, workers)
                set_meta(self.connection, "fingerprint", fingerprint)
                return
            # A cold build commits as it goes (see ColdBuild): this marks the build as
            # ours, and another newsarc that completes the index meanwhile clears it.
            build = f"{os.getpid()} {os.urandom(8).hex()}"
            set_meta(self.connection, "building", build)
        # Not needed by the build; dropped before the workers fork, as each would map it.
        del known_listings, walked, current, listings, known, diff
        ColdBuild(self, build, folders, snapshot, progress, fingerprint).run(to_parse, count)

    def _fingerprint_holds(self, fingerprint: bytes | None, report: RefreshReport) -> bool:
        """True (and `report` filled) when the walk's stats are those the index was made
        from: then a refresh costs the stats and no Python object per file (the files
        table is not read, the walk not even taken apart)."""
        # One statement: another newsarc may rebuild the index between two.
        stored_files, stored = self.connection.execute(
            "SELECT (SELECT value FROM meta WHERE key = 'files'), "
            "(SELECT value FROM meta WHERE key = 'fingerprint')").fetchone()
        if fingerprint is None or stored_files is None or fingerprint != stored:
            return False
        report.unchanged = int(stored_files)
        return True

    def _remember_walk(self, snapshot: bytes, listings: dict[str, Listing], fingerprint: bytes | None,
                       relisted: bool) -> None:
        """Keep the listings and fingerprint of a walk that found the index as it is."""
        if relisted or fingerprint != meta(self.connection, "fingerprint"):
            with write_transaction(self.connection):
                if snapshot == meta(self.connection, "snapshot"):  # not another refresh's since
                    set_meta(self.connection, "listings", encode_listings(listings))
                    set_meta(self.connection, "fingerprint", fingerprint)

    def _wait_for_build(self) -> None:
        """Until the build under way ends: the index filled, or its builder gone."""
        while meta(self.connection, "files") is None and _builder_running(meta(self.connection, "building")):
            time.sleep(0.2)

    def _folders_changed(self) -> bool:
        """True when any folder's mtime moved since the last full walk (or it vanished)."""
        for folder, mtime in self.connection.execute("SELECT path, mtime_ns FROM folders"):
            try:
                if (self.root / folder).stat().st_mtime_ns != mtime:
                    return True
            except OSError:
                return True
        return False

    def _apply(
        self,
        to_parse: list[ArticleFile],
        removed: list[str],
        known: dict[str, tuple[int, ...]],
        folders: dict[str, int],
        snapshot: bytes,
        progress: ProgressCallback | None,
        workers: int | None,
    ) -> None:
        connection = self.connection  # in the caller's write transaction
        for path in removed:
            self._delete_file(path)
        connection.execute("DELETE FROM folders")
        connection.executemany("INSERT INTO folders VALUES (?, ?)", folders.items())
        self.insert_files(to_parse, known, progress, workers)
        finish(connection, snapshot)

    def insert_files(self, to_parse: list[ArticleFile], known: dict[str, tuple[int, ...]] | set[str],
                     progress: ProgressCallback | None, workers: int | None, before: int = 0) -> None:
        """Parse files (in worker processes that send their rows back, when many) and
        insert them here, each replacing the file of its path in `known`."""
        from .workers import parse_all  # the parsers load only when a file changed

        total = before + len(to_parse)
        batch: list[ParsedFile] = []
        for done, parsed in enumerate(parse_all(to_parse, workers), before + 1):
            if parsed.path in known:
                self._delete_file(parsed.path)
            batch.append(parsed)
            if len(batch) == INSERT_BATCH:
                self._insert(batch)
                batch = []
            if progress is not None:
                progress(done, total)
        self._insert(batch)

    def _delete_file(self, path: str) -> None:
        execute = self.connection.execute
        rowids = [row[0] for row in execute("SELECT rowid FROM articles WHERE path = ?", (path,))]
        delete_texts(self.connection, rowids)
        for table, column in reversed(ROW_TABLES):
            if column is None or table in FTS_TABLES:
                continue
            self.connection.executemany(f"DELETE FROM {table} WHERE {column} = ?", ((r,) for r in rowids))
        execute("DELETE FROM files WHERE path = ?", (path,))

    def _insert(self, batch: list[ParsedFile]) -> None:
        from .inserts import insert_parsed

        insert_parsed(self.connection, batch, lambda ids: paths_of_ids(self.connection, ids))


class BuildUnderWay(Exception):
    """Another newsarc process is building the index."""


def _builder_running(building: str | None) -> bool:
    """True when `building` (the meta value a cold build sets) names another process
    that still runs; a build killed midway left its mark and is taken over."""
    if not building:
        return False
    pid = int(building.split()[0]) if building.split()[0].isdigit() else 0
    return 0 < pid != os.getpid() and process_running(pid)


def paths_of_ids(connection: sqlite3.Connection, ids: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        found.update(connection.execute(
            f"SELECT id, path FROM articles WHERE id IN ({', '.join('?' * len(part))})", part))
    return found


def _relisted(listings: dict[str, Listing], known: dict[str, Listing]) -> bool:
    """True when a folder was listed again (its known listing no longer held)."""
    return listings.keys() != known.keys() or any(listing is not known[key]
                                                  for key, listing in listings.items())


