"""Bringing the SQLite index up to date: the walk compared with the last one, the
files that changed parsed (in worker processes when many), their rows inserted.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import time
from typing import TYPE_CHECKING

from ...parsing import ArticleFile, FileStat, Listing, scan_archive
from ...parsing.walk import classification_key
from ...results import ProgressCallback, RefreshReport
from . import heartbeat
from .reads import computed_counts, counts, skipped_count
from .schema import FTS_COLUMNS, meta, set_meta, write_transaction

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterable
    from pathlib import Path

    from ...model import Problem
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
            self._refresh_files(report, progress, workers)
        else:
            report.unchanged = int(stored_files)
        report.articles, report.problems = counts(self.connection)
        report.skipped = skipped_count(self.connection)
        report.seconds = time.perf_counter() - started
        return report

    def _refresh_files(self, report: RefreshReport, progress: ProgressCallback | None,
                       workers: int | None) -> None:
        folders: dict[str, int] = {}
        real_paths: dict[str, str] = {}
        walk_problems: list[Problem] = []
        known_listings = _decode_listings(meta(self.connection, "listings"))
        listings: dict[str, Listing] = {}
        current = scan_archive(self.root, walk_problems, folder_mtimes=folders, real_paths=real_paths,
                               listings=listings, known_listings=known_listings)
        unreadable = sorted([problem.path, problem.message] for problem in walk_problems)
        # The whole walk, compared at once with the last one: with nothing changed,
        # a refresh costs the walk and one small read instead of a row per file.
        snapshot = _encode_snapshot(current, folders, unreadable)
        if snapshot == meta(self.connection, "snapshot"):
            report.unchanged = len(current)
            if _relisted(listings, known_listings):
                with write_transaction(self.connection):
                    set_meta(self.connection, "listings", _encode_listings(listings))
            return
        # The index is compared with the walk under the write lock: another newsarc may
        # have refreshed it since the read above, and a diff against what it held then
        # would insert files twice.
        with write_transaction(self.connection):
            if snapshot == meta(self.connection, "snapshot"):
                report.unchanged = len(current)
                return
            known = {path: tuple(stat) for path, *stat in
                     self.connection.execute("SELECT path, size, mtime_ns, inode, ctime_ns FROM files")}
            to_parse = [
                ArticleFile(path, real_paths.get(path) or os.path.join(self.root, path), *stat)
                for path, stat in current.items()
                if known.get(path) != stat
            ]
            # What an unreadable folder or file hides is not known to be gone: it stays
            # as it was indexed, and the folder or file is a problem of its own.
            hidden = _under(known.keys() - current.keys(), [path for path, _ in unreadable])
            removed = [path for path in known if path not in current and path not in hidden]
            report.added = sum(1 for f in to_parse if f.path not in known)
            report.changed = len(to_parse) - report.added
            report.removed = len(removed)
            report.unchanged = len(current) - len(to_parse) + len(hidden)
            set_meta(self.connection, "unreadable", json.dumps(unreadable) if unreadable else None)
            set_meta(self.connection, "listings", _encode_listings(listings))
            self._apply(to_parse, removed, known, folders, snapshot, progress, workers)

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
        from .workers import parse_all  # the parsers load only when a file changed

        connection = self.connection  # in the caller's write transaction
        for path in removed:
            self._delete_file(path)
        connection.execute("DELETE FROM folders")
        connection.executemany("INSERT INTO folders VALUES (?, ?)", folders.items())
        batch: list[ParsedFile] = []
        for done, parsed in enumerate(parse_all(to_parse, workers), 1):
            if parsed.path in known:
                self._delete_file(parsed.path)
            batch.append(parsed)
            if len(batch) == INSERT_BATCH:
                self._insert(batch)
                batch = []
            if progress is not None:
                progress(done, len(to_parse))
        self._insert(batch)
        articles, problems = computed_counts(self.connection)
        files = connection.execute("SELECT count(*) FROM files").fetchone()[0]
        skipped = connection.execute("SELECT count(*) FROM files WHERE skipped IS NOT NULL").fetchone()[0]
        for key, value in (("articles", articles), ("problems", problems), ("files", files),
                           ("skipped", skipped), ("snapshot", snapshot)):
            set_meta(self.connection, key, value)

    def _delete_file(self, path: str) -> None:
        execute = self.connection.execute
        rowids = [row[0] for row in execute("SELECT rowid FROM articles WHERE path = ?", (path,))]
        for table, column in (("labels", "article"), ("urls", "article"), ("related_links", "article"),
                              ("articles_fts", "rowid"), ("records", "rowid"), ("articles", "rowid")):
            self.connection.executemany(f"DELETE FROM {table} WHERE {column} = ?", ((r,) for r in rowids))
        execute("DELETE FROM files WHERE path = ?", (path,))

    def _insert(self, batch: list[ParsedFile]) -> None:
        """Insert parsed files with one statement per table for the whole batch."""
        if not batch:
            return
        connection = self.connection
        next_rowid = connection.execute("SELECT coalesce(max(rowid), 0) + 1 FROM articles").fetchone()[0]
        files, articles, records, texts, labels, urls, links = [], [], [], [], [], [], []
        # Ids are unique in the index; one already taken (in this batch or an earlier
        # one) is the file's problem, never an internal error.
        taken = self._paths_of_ids([row[0][0] for parsed in batch for row in parsed.rows])
        for parsed in batch:
            problems = list(parsed.problems)
            for columns, record, fts, article_labels, article_urls, related_links in parsed.rows:
                article_id = columns[0]
                if article_id in taken:
                    problems.append((None, f"an article here has the id {article_id} of one in "
                                           f"{taken[article_id]}; it is not indexed"))
                    continue
                taken[article_id] = parsed.path
                rowid = next_rowid
                next_rowid += 1
                articles.append((rowid, *columns))
                records.append((rowid, record))
                texts.append((rowid, *fts))
                labels += [(rowid, kind, value) for kind, value in article_labels]
                urls += [(rowid, url) for url in article_urls]
                links += [(rowid, position, link) for position, link in related_links]
            problem_text = json.dumps(problems) if problems else None
            files.append((parsed.path, *parsed.stat, problem_text, parsed.skipped))
        connection.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", files)
        if articles:
            marks = ", ".join("?" * len(articles[0]))
            connection.executemany(f"INSERT INTO articles VALUES ({marks})", articles)
        connection.executemany("INSERT INTO records VALUES (?, ?)", records)
        connection.executemany(f"INSERT INTO articles_fts(rowid, {', '.join(FTS_COLUMNS)}) "
                               f"VALUES (?{', ?' * len(FTS_COLUMNS)})", texts)
        connection.executemany("INSERT INTO labels VALUES (?, ?, ?)", labels)
        connection.executemany("INSERT INTO urls VALUES (?, ?)", urls)
        connection.executemany("INSERT INTO related_links VALUES (?, ?, ?)", links)

    def _paths_of_ids(self, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            found.update(self.connection.execute(
                f"SELECT id, path FROM articles WHERE id IN ({', '.join('?' * len(part))})", part))
        return found


def _encode_snapshot(current: dict[str, FileStat], folders: dict[str, int],
                     unreadable: list[list[str]]) -> bytes:
    """A digest of one walk: equal digests mean no file or folder changed.

    Only the 16-byte digest is stored: reading back the walk itself (11 MB for
    100,000 files) cost more than comparing it.
    """
    # Version 0: later versions mark an object seen twice (by its reference count) or
    # interned, so equal walks could encode differently.
    return hashlib.blake2b(marshal.dumps((current, folders, unreadable), 0), digest_size=16).digest()


def _encode_listings(listings: dict[str, Listing]) -> bytes:
    return marshal.dumps((classification_key(), listings))


def _decode_listings(stored: object) -> dict[str, Listing]:
    """The folder listings of the last walk; none when they are missing or unreadable
    (the walk then lists every folder, as it always could)."""
    if not isinstance(stored, bytes):
        return {}
    try:
        key, listings = marshal.loads(stored)
    except (EOFError, ValueError, TypeError):
        return {}
    # Listings kept under other classification rules would hide files those rules skipped.
    return listings if key == classification_key() and isinstance(listings, dict) else {}


def _relisted(listings: dict[str, Listing], known: dict[str, Listing]) -> bool:
    """True when a folder was listed again (its known listing no longer held)."""
    return listings.keys() != known.keys() or any(listing is not known[key]
                                                  for key, listing in listings.items())


def _under(paths: Iterable[str], folders_or_files: list[str]) -> set[str]:
    """The `paths` that are one of `folders_or_files` or inside one (`.` is the root)."""
    if "." in folders_or_files:
        return set(paths)
    prefixes = tuple(f"{name}/" for name in folders_or_files)
    return {path for path in paths if path in folders_or_files or path.startswith(prefixes)}
