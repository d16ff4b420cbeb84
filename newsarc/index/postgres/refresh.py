"""Bringing the PostgreSQL index up to date from the machine that holds the folder:
the walk compared with the last one, what changed parsed (in worker processes when
many), and every change written in one transaction under an advisory lock, so readers
see the index before the refresh or after it, and refreshers take turns.
"""

from __future__ import annotations

import json
import os
import socket
import time
from typing import TYPE_CHECKING, Any

from ...errors import StoreError
from ...parsing import ArticleFile, scan_archive
from ...results import ProgressCallback, RefreshReport
from ..sqlite.workers import PARALLEL_THRESHOLD, ParsedFile, map_unordered, parse_for_index
from ..walkdiff import diff_walk, walk_digest
from .reads import computed_counts, counts, skipped_count
from .schema import LOCK_KEY, meta, set_meta
from .text import has_cjk, word_text

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    import psycopg

    from ...model import Problem

INSERT_BATCH = 500
# How long a refresh waits for another one to finish before saying who holds the lock.
LOCK_WAIT_SECONDS = 30.0
# A tsvector holds at most 1 MB: a longer body is indexed up to here.
_MAX_TEXT = 400_000

_STAGING = """
CREATE TEMP TABLE IF NOT EXISTS search_text (
    rowid BIGINT, title TEXT, topics TEXT, excerpt TEXT, body TEXT, related TEXT, cjk TEXT
) ON COMMIT DELETE ROWS
"""
_VECTORS = """
INSERT INTO search (rowid, words, stems, related, related_stems, cjk)
SELECT rowid,
    setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', topics), 'B')
    || setweight(to_tsvector('simple', excerpt), 'C') || setweight(to_tsvector('simple', body), 'D'),
    setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', topics), 'B')
    || setweight(to_tsvector('english', excerpt), 'C') || setweight(to_tsvector('english', body), 'D'),
    to_tsvector('simple', related), to_tsvector('english', related), cjk
FROM search_text
"""
_VOCABULARY = """
INSERT INTO vocabulary (word)
SELECT DISTINCT word FROM search s JOIN search_text t ON t.rowid = s.rowid,
    unnest(tsvector_to_array(s.words) || tsvector_to_array(s.related)) AS word
WHERE length(word) > 2
ON CONFLICT DO NOTHING
"""
_ARTICLE_COLUMNS = ("rowid, id, path, position, title, published, provider_name, provider_domain, type, "
                    "category, locale, quality, heat, is_published, has_images, has_related, has_body, "
                    "has_secured, url, canonical_url, topics")


def parse_for_search(article_file: ArticleFile) -> ParsedFile:
    """Parse one file into rows whose texts are already split into words (in workers)."""
    parsed = parse_for_index(article_file)
    rows = []
    # The SQLite backend's rows, read by position: what it appends for itself is ignored.
    for row in parsed.rows:
        columns, record, fts, labels, urls, links = row[:6]
        title, topics, excerpt, body, provider, related = fts[:6]
        everything = "\n".join((title, topics, excerpt, body, provider, related))
        texts = (word_text(title), word_text(f"{topics} {provider}"), word_text(excerpt),
                 word_text(body[:_MAX_TEXT]), word_text(related[:_MAX_TEXT]),
                 everything.lower() if has_cjk(everything) else None)
        rows.append((columns, record, texts, labels, urls, links))
    parsed.rows = rows
    return parsed


def _parse_all(to_parse: list[ArticleFile], workers: int | None) -> Iterator[ParsedFile]:
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(to_parse) < PARALLEL_THRESHOLD:
        yield from map(parse_for_search, to_parse)
        return
    try:
        parsed = map_unordered(parse_for_search, to_parse, count, size=_task_size)
    except OSError:
        yield from map(parse_for_search, to_parse)
        return
    try:
        yield from parsed
    finally:
        parsed.close()


def _task_size(article_file: ArticleFile) -> int:
    return 64 + 2 * (len(article_file.path) + len(article_file.file_path))


def archive_identity(root: Path) -> str:
    """Which folder on which machine an index was filled from."""
    return f"{socket.gethostname()}:{root.resolve()}"


class Refresh:
    """One refresh of the index behind `connection` from the archive folder `root`."""

    def __init__(self, connection: psycopg.Connection[Any], root: Path, location: str) -> None:
        self.connection = connection
        self.root = root
        self.location = location

    def refresh(self, *, mode: str = "full", progress: ProgressCallback | None = None,
                workers: int | None = None) -> RefreshReport:
        """As the SQLite backend's refresh, except that an index never filled is not
        filled by `mode` "none": a client that does not hold the folder must not
        index whatever folder it runs in."""
        started = time.perf_counter()
        report = RefreshReport()
        stored_files = meta(self.connection, "files")
        if stored_files is None and mode == "none":
            report.notices.append(
                f"the index {self.location} is empty; fill it with `newsarc --index URL --archive FOLDER "
                "index` on the machine that holds the archive")
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
        current = scan_archive(self.root, walk_problems, folder_mtimes=folders, real_paths=real_paths)
        unreadable = sorted([problem.path, problem.message] for problem in walk_problems)
        snapshot = walk_digest(current, folders, unreadable).hex()
        if snapshot == meta(self.connection, "snapshot"):
            report.unchanged = len(current)
            return
        with self.connection.transaction():
            self._lock(report)
            self._check_identity()
            if snapshot == meta(self.connection, "snapshot"):  # another refresh just did it
                report.unchanged = len(current)
                return
            known = {path: tuple(stat) for path, *stat in
                     self.connection.execute("SELECT path, size, mtime_ns, inode, ctime_ns FROM files")}
            diff = diff_walk(self.root, current, real_paths, known, unreadable, report)
            to_parse, removed = diff.to_parse, diff.removed
            set_meta(self.connection, "unreadable", json.dumps(unreadable) if unreadable else None)
            self._delete_files(removed + [f.path for f in to_parse if f.path in known])
            self.connection.execute("DELETE FROM folders")
            with self.connection.cursor().copy("COPY folders (path, mtime_ns) FROM STDIN") as copy:
                for row in folders.items():
                    copy.write_row(row)
            self.connection.execute(_STAGING)
            batch: list[ParsedFile] = []
            for done, parsed in enumerate(_parse_all(to_parse, workers), 1):
                batch.append(parsed)
                if len(batch) == INSERT_BATCH:
                    self._insert(batch)
                    batch = []
                if progress is not None:
                    progress(done, len(to_parse))
            self._insert(batch)
            articles, problems = computed_counts(self.connection)
            files_row = self.connection.execute("SELECT count(*) FROM files").fetchone()
            for key, value in (("articles", articles), ("problems", problems),
                               ("files", files_row[0] if files_row else 0), ("snapshot", snapshot),
                               ("archive", archive_identity(self.root))):
                set_meta(self.connection, key, value)

    def _lock(self, report: RefreshReport) -> None:
        """Take the refresh lock (until the transaction ends), waiting a while for
        another refresh; past that, say who holds it."""
        execute = self.connection.execute
        row = execute("SELECT pg_try_advisory_xact_lock(%s)", (LOCK_KEY,)).fetchone()
        if row and row[0]:
            return
        holder = self._holder()
        execute("SELECT set_config('lock_timeout', %s, true)", (f"{int(LOCK_WAIT_SECONDS * 1000)}ms",))
        import psycopg

        try:
            execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        except psycopg.errors.LockNotAvailable:
            raise StoreError(f"the index {self.location} is being refreshed by {holder}",
                             hint="try again when it has finished, or pass --fresh none") from None
        execute("SELECT set_config('lock_timeout', '0', true)")
        report.notices.append(f"waited for the refresh by {holder} to finish")

    def _holder(self) -> str:
        row = self.connection.execute(
            "SELECT a.application_name, a.pid, a.client_addr::text, a.xact_start FROM pg_locks l "
            "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.objid = %s "
            "AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "LIMIT 1", (LOCK_KEY,)).fetchone()
        if row is None:
            return "another newsarc"
        name, pid, address, since = row
        started = f", since {since:%Y-%m-%d %H:%M:%S %Z}" if since is not None else ""
        where = f" from {address}" if address else ""
        return f"{name or 'another client'} (server pid {pid}{where}{started})"

    def _check_identity(self) -> None:
        """One index, one archive folder: a refresh from another folder or machine would
        replace the shared index with whatever that folder holds."""
        stored = meta(self.connection, "archive")
        here = archive_identity(self.root)
        if stored is not None and stored != here:
            raise StoreError(f"the index {self.location} holds the archive {stored}, not {here}",
                             hint="refresh it there, query it here with --fresh none, or pass "
                                  "--rebuild to start it over from this folder")

    def _folders_changed(self) -> bool:
        for folder, mtime in self.connection.execute("SELECT path, mtime_ns FROM folders"):
            try:
                if (self.root / folder).stat().st_mtime_ns != mtime:
                    return True
            except OSError:
                return True
        return False

    def _delete_files(self, paths: list[str]) -> None:
        if not paths:
            return
        execute = self.connection.execute
        rowids = [row[0] for row in execute("DELETE FROM articles WHERE path = ANY(%s) RETURNING rowid",
                                            (paths,))]
        for table, column in (("labels", "article"), ("urls", "article"), ("related_links", "article"),
                              ("search", "rowid"), ("records", "rowid")):
            # Table and column names are constants of this module, never user input.
            execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", (rowids,))
        execute("DELETE FROM files WHERE path = ANY(%s)", (paths,))

    def _insert(self, batch: list[ParsedFile]) -> None:
        if not batch:
            return
        connection = self.connection
        row = connection.execute("SELECT coalesce(max(rowid), 0) + 1 FROM articles").fetchone()
        next_rowid = int(row[0]) if row else 1
        ids = [columns[0] for parsed in batch for columns, *_ in parsed.rows]
        taken: dict[str, str] = dict(connection.execute(
            "SELECT id, path FROM articles WHERE id = ANY(%s)", (ids,)).fetchall())
        files, articles, records, texts, labels, urls, links = [], [], [], [], [], [], []
        for parsed in batch:
            problems = list(parsed.problems)
            for columns, record, text_columns, article_labels, article_urls, related_links in parsed.rows:
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
                texts.append((rowid, *text_columns))
                labels += [(rowid, kind, value) for kind, value in article_labels]
                urls += [(rowid, url) for url in article_urls]
                links += [(rowid, position, link) for position, link in related_links]
            files.append((parsed.path, *parsed.stat, json.dumps(problems) if problems else None,
                          parsed.skipped))
        cursor = connection.cursor()
        for statement, rows in (
            ("COPY files (path, size, mtime_ns, inode, ctime_ns, problems, skipped) FROM STDIN", files),
            (f"COPY articles ({_ARTICLE_COLUMNS}) FROM STDIN", articles),
            ("COPY records (rowid, record) FROM STDIN", records),
            ("COPY search_text (rowid, title, topics, excerpt, body, related, cjk) FROM STDIN", texts),
            ("COPY labels (article, kind, value) FROM STDIN", labels),
            ("COPY urls (article, canonical) FROM STDIN", urls),
            ("COPY related_links (article, position, canonical) FROM STDIN", links),
        ):
            if rows:
                with cursor.copy(statement) as copy:
                    for values in rows:
                        copy.write_row(tuple(_storable(value) for value in values))
        connection.execute(_VECTORS)
        connection.execute(_VOCABULARY)
        connection.execute("TRUNCATE search_text")


def _storable(value: object) -> object:
    """A value PostgreSQL text can hold: no NUL, no lone surrogate (a file name that is
    not UTF-8 is kept with its odd bytes shown as escapes)."""
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return value
