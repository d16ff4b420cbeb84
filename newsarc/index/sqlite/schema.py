"""The SQLite/FTS5 index: schema, incremental refresh, syntax tree -> SQL.

One database file per archive. `files` remembers each article file's size and
modification time (and its problems), so a refresh re-parses only what changed.
`articles` holds one row per article with the columns filters and sorting need and
the full lossless record (JSON) for `show` and exports; `articles_fts`
is the full-text index; `labels`, `urls` and `related_links` serve topic filters,
URL look-ups, duplicate detection and reverse related links.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from .errors import StoreError
from .files import ArticleFile, FileStat, scan_archive
from .model import Article, Problem
from .parallel import map_unordered
from .records import article_from_record, json_text
from .results import ProgressCallback, RefreshReport
from .urls import canonical_url

SCHEMA_VERSION = 5
# PRAGMA application_id of a newsarc index ("NARC"): with the meta table, the proof
# that newsarc wrote a file, without which it never replaces or removes one.
APPLICATION_ID = 0x4E415243
# BM25 weights in the FTS column order: title over topics over excerpt over body;
# the provider's name counts a little, related items' text least.
FTS_COLUMNS = ("title", "topics", "excerpt", "body", "provider", "related")
FTS_WEIGHTS = (10.0, 5.0, 3.0, 1.0, 2.0, 0.5)
# Highlight markers FTS5 puts around matched words; private-use characters that are
# removed from indexed text, so article text cannot forge a highlight.
MARK_START, MARK_END = "\ue000", "\ue001"
# Below this many files to parse, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 400
# Parsed files written per round of INSERT statements.
INSERT_BATCH = 200

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    problems TEXT
);
CREATE TABLE folders (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL);
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    position INTEGER,
    title TEXT NOT NULL,
    published INTEGER,
    provider_name TEXT COLLATE NOCASE,
    provider_domain TEXT COLLATE NOCASE,
    type TEXT COLLATE NOCASE,
    category TEXT COLLATE NOCASE,
    locale TEXT COLLATE NOCASE,
    quality INTEGER,
    heat INTEGER,
    is_published INTEGER,
    has_images INTEGER NOT NULL,
    has_related INTEGER NOT NULL,
    has_body INTEGER NOT NULL,
    has_secured INTEGER NOT NULL,
    url TEXT,
    canonical_url TEXT,
    topics TEXT NOT NULL
);
-- The lossless records live apart from the columns filters scan, so a scan of
-- `articles` reads a few hundred bytes per article, not the whole record.
CREATE TABLE records (rowid INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE INDEX articles_path ON articles(path);
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_newest ON articles(published IS NULL, published DESC);
CREATE INDEX articles_oldest ON articles(published IS NULL, published);
CREATE INDEX articles_provider ON articles(provider_domain);
CREATE INDEX articles_provider_name ON articles(provider_name);
CREATE INDEX articles_canonical ON articles(canonical_url);
CREATE TABLE labels (article INTEGER NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL COLLATE NOCASE);
CREATE INDEX labels_value ON labels(kind, value);
CREATE INDEX labels_article ON labels(article);
CREATE TABLE urls (article INTEGER NOT NULL, canonical TEXT NOT NULL);
CREATE INDEX urls_canonical ON urls(canonical);
CREATE INDEX urls_article ON urls(article);
CREATE TABLE related_links (article INTEGER NOT NULL, position INTEGER NOT NULL, canonical TEXT NOT NULL);
CREATE INDEX related_links_canonical ON related_links(canonical);
CREATE INDEX related_links_article ON related_links(article);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    {", ".join(FTS_COLUMNS)}, tokenize = 'unicode61 remove_diacritics 2'
);
PRAGMA user_version = {SCHEMA_VERSION};
PRAGMA application_id = {APPLICATION_ID};
"""


# --- rows for one parsed file (built in worker processes) ------------------------------


@dataclass
class ParsedFile:
    path: str
    stat: FileStat
    rows: list[tuple[Any, ...]]
    problems: list[tuple[int | None, str]]


def parse_for_index(article_file: ArticleFile) -> ParsedFile:
    """Parse one file into ready-to-insert rows; runs in worker processes."""
    from .parsing import parse_file

    result = parse_file(article_file.file_path, article_file.path)
    return ParsedFile(
        article_file.path,
        article_file.stat,
        [_article_row(article) for article in result.articles],
        [(problem.line, problem.message) for problem in result.problems],
    )


def _article_row(article: Article) -> tuple[Any, ...]:
    # The same link is often written twice (webUrl == originalUrl): canonicalise each once.
    canonical_by_url = {
        url: canonical_url(url)
        for url in (article.web_url, article.original_url, article.amp_web_url, article.cdn_amp_web_url,
                    article.source_url)
        if url
    }
    urls = {canonical for canonical in canonical_by_url.values() if canonical}
    related_links = [(position, canonical_url(item.url)) for position, item in enumerate(article.related)]
    labels = [("topic", topic) for topic in article.topics]
    labels += [("category", value) for value in {article.category, *article.categories} if value]
    labels += [("tag", tag) for tag in article.tags]
    # Stored as JSON text, uncompressed: compressing cost more per file (about 50 us)
    # than parsing its YAML, and piped output writes the text as it is.
    record = json_text(article)
    provider = article.provider
    fts = (
        article.title,
        " ; ".join(article.topics),
        article.excerpt,
        article.body,
        " ".join(filter(None, (provider.name, provider.domain))) if provider else "",
        "\n".join(f"{item.title}\n{item.excerpt}" for item in article.related),
    )
    columns = (
        article.id,
        article.path,
        article.index,
        article.title,
        int(article.published.timestamp()) if article.published else None,
        provider.name if provider else None,
        _bare_domain(provider.domain) if provider else None,
        article.type,
        article.category or (article.categories[0] if article.categories else None),
        article.locale,
        article.quality,
        article.heat,
        None if article.is_published is None else int(article.is_published),
        int(bool(article.images)),
        int(bool(article.related)),
        int(bool(article.body.strip())),
        int(article.has_secured),
        article.url,
        canonical_by_url.get(article.url or ""),
        "\x1f".join(article.topics),
    )
    return (
        columns,
        record,
        tuple(_strip_marks(text) for text in fts),
        labels,
        sorted(urls),
        [(position, link) for position, link in related_links if link],
    )


def _strip_marks(text: str) -> str:
    if MARK_START in text or MARK_END in text:
        return text.replace(MARK_START, "").replace(MARK_END, "")
    return text


def _bare_domain(domain: str | None) -> str | None:
    if not domain:
        return domain
    domain = domain.strip().lower()
    return domain[4:] if domain.startswith("www.") else domain


def article_from_blob(blob: str) -> Article:
    """The article stored in a row's `record` column, with its id, path and index."""
    record = json.loads(blob)
    article = article_from_record(record)
    article.id = record["id"]
    article.path = record["path"]
    article.index = record.get("index")
    return article


def record_json_from_blob(blob: str) -> str:
    """The stored JSON interchange text of an article, without rebuilding the article."""
    return blob


# --- the database ----------------------------------------------------------------------


class Store:
    """An open index database for one archive folder."""

    def __init__(self, connection: sqlite3.Connection, root: Path, location: str) -> None:
        self.connection = connection
        self.root = root
        self.location = location

    # opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, root: Path, database: Path | None, notices: list[str], *, rebuild: bool = False) -> Store:
        """Open the index at `database` (None means memory), creating it, or starting it
        over when `rebuild` is set, it is from another version or it is damaged.

        NotAnIndexError, touching nothing, when the file is not one newsarc wrote.
        """
        if database is None:
            return cls(_create(sqlite3.connect(":memory:")), root, ":memory:")
        try:
            database.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the index folder {database.parent}: {error.strerror}",
                             hint="pass --index PATH or --no-cache") from None
        _check_index_path(database)
        try:
            return cls(_open_index(database, notices, rebuild), root, str(database))
        except sqlite3.DatabaseError as error:
            if _is_busy(error):
                raise StoreError(f"the index {database} is locked by another newsarc", hint="try again") from None
            if failure_kind(error) == "unwritable":  # a full disk is no reason to rebuild the index
                raise StoreError(f"cannot write the index {database} ({error})") from None
            if failure_kind(error) != "damaged":
                raise StoreError(f"cannot use the index {database} ({error})") from None
        # Damaged beyond reading: only its header can still say newsarc wrote it.
        if not _header_is_ours(database):
            raise NotAnIndexError(database)
        notices.append(f"index {database} is unreadable; rebuilding it")
        remove_database(database)
        return cls(_open_index(database, notices, rebuild=False), root, str(database))

    def close(self) -> None:
        self.connection.close()

    @property
    def filled(self) -> bool:
        """Whether a refresh ever completed in this index."""
        return self._meta("files") is not None

    # refreshing ------------------------------------------------------------------------

    def refresh(
        self,
        *,
        mode: str = "full",
        progress: ProgressCallback | None = None,
        workers: int | None = None,
    ) -> RefreshReport:
        """Bring the index up to date with the archive folder.

        mode "full" stats every file, so every in-place edit is seen. mode "dirs"
        trusts folder modification times like notmuch: when no folder's mtime moved,
        nothing is walked; adding, removing or renaming a file moves its folder's
        mtime, so those are seen at once (by a full walk), and in-place edits at the
        next full refresh. mode "none" uses the index as it is.
        """
        started = time.perf_counter()
        report = RefreshReport()
        stored_files = self._meta("files")
        if stored_files is None:  # never filled: every mode starts with a full walk
            self._refresh_files(report, progress, workers)
        elif mode == "full" or (mode == "dirs" and self._folders_changed()):
            self._refresh_files(report, progress, workers)
        else:
            report.unchanged = int(stored_files)
        report.articles, report.problems = self.counts()
        report.seconds = time.perf_counter() - started
        return report

    def _refresh_files(self, report: RefreshReport, progress: ProgressCallback | None,
                       workers: int | None) -> None:
        folders: dict[str, int] = {}
        real_paths: dict[str, str] = {}
        walk_problems: list[Problem] = []
        current = scan_archive(self.root, walk_problems, folder_mtimes=folders, real_paths=real_paths)
        unreadable = sorted([problem.path, problem.message] for problem in walk_problems)
        # The whole walk, compared at once with the last one: with nothing changed,
        # a refresh costs the walk and one small read instead of a row per file.
        snapshot = _encode_snapshot(current, folders, unreadable)
        if snapshot == self._meta("snapshot"):
            report.unchanged = len(current)
            return
        # The index is compared with the walk under the write lock: another newsarc may
        # have refreshed it since the read above, and a diff against what it held then
        # would insert files twice.
        with _write_transaction(self.connection):
            if snapshot == self._meta("snapshot"):
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
            self._set_meta("unreadable", json.dumps(unreadable) if unreadable else None)
            self._apply(to_parse, removed, known, folders, snapshot, progress, workers)

    def counts(self) -> tuple[int, int]:
        """How many articles and problems the index holds."""
        articles, problems = self._meta("articles"), self._meta("problems")
        if articles is not None and problems is not None:
            return int(articles), int(problems)
        return self._count()

    def _count(self) -> tuple[int, int]:
        articles = self.connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        problems = self.connection.execute(
            "SELECT coalesce(sum(json_array_length(problems)), 0) FROM files WHERE problems IS NOT NULL"
        ).fetchone()[0]
        return articles, problems + len(self._unreadable())

    def _unreadable(self) -> list[tuple[str, str]]:
        """The folders and files the last walk could not look at: (path, message)."""
        text = self._meta("unreadable")
        return [(path, message) for path, message in json.loads(text)] if text else []

    def _meta(self, key: str) -> Any:
        row = self.connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: Any) -> None:
        self.connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

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
        batch: list[ParsedFile] = []
        for done, parsed in enumerate(_parse_all(to_parse, workers), 1):
            if parsed.path in known:
                self._delete_file(parsed.path)
            batch.append(parsed)
            if len(batch) == INSERT_BATCH:
                self._insert(batch)
                batch = []
            if progress is not None:
                progress(done, len(to_parse))
        self._insert(batch)
        articles, problems = self._count()
        files = connection.execute("SELECT count(*) FROM files").fetchone()[0]
        for key, value in (("articles", articles), ("problems", problems), ("files", files),
                           ("snapshot", snapshot)):
            self._set_meta(key, value)

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
            files.append((parsed.path, *parsed.stat, json.dumps(problems) if problems else None))
        connection.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", files)
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

    # reading ---------------------------------------------------------------------------

    def problems(self) -> list[Problem]:
        rows = self.connection.execute(
            "SELECT path, problems FROM files WHERE problems IS NOT NULL ORDER BY path"
        )
        problems = [Problem(path, line, message) for path, text in rows for line, message in json.loads(text)]
        problems += [Problem(path, None, message) for path, message in self._unreadable()]
        return sorted(problems, key=lambda problem: problem.path)

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, parameters)

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """One read transaction: every statement inside sees the same index, even while
        another newsarc commits a refresh (WAL readers never block that writer)."""
        if self.connection.in_transaction:
            yield
            return
        self.connection.execute("BEGIN")
        try:
            yield
        finally:
            self.connection.execute("COMMIT")

    def blobs_in_order(self, rowids: Sequence[int], chunk: int = 256) -> Iterator[bytes]:
        """The stored records of `rowids`, in that order, read a chunk at a time."""
        for start in range(0, len(rowids), chunk):
            part = rowids[start : start + chunk]
            marks = ", ".join("?" * len(part))
            found = dict(self.connection.execute(
                f"SELECT rowid, record FROM records WHERE rowid IN ({marks})", part))
            for rowid in part:
                if rowid in found:
                    yield found[rowid]

    def articles_by_rowid(self, rowids: Iterable[int]) -> dict[int, Article]:
        found: dict[int, Article] = {}
        chunk: list[int] = []
        for rowid in rowids:
            chunk.append(rowid)
            if len(chunk) == 500:
                found.update(self._fetch_articles(chunk))
                chunk = []
        if chunk:
            found.update(self._fetch_articles(chunk))
        return found

    def _fetch_articles(self, rowids: list[int]) -> Iterator[tuple[int, Article]]:
        marks = ", ".join("?" * len(rowids))
        for rowid, blob in self.connection.execute(
            f"SELECT rowid, record FROM records WHERE rowid IN ({marks})", rowids
        ):
            yield rowid, article_from_blob(blob)


def _parse_all(to_parse: list[ArticleFile], workers: int | None) -> Iterator[ParsedFile]:
    """Parse files, in worker processes when there are enough to be worth it."""
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(to_parse) < PARALLEL_THRESHOLD:
        yield from map(parse_for_index, to_parse)
        return
    try:
        parsed = map_unordered(parse_for_index, to_parse, count, size=_task_size)
    except OSError:  # no processes or pipes left: parse here
        yield from map(parse_for_index, to_parse)
        return
    # Closed explicitly, so an error or Ctrl-C in the inserts ends the workers at once.
    with closing(parsed):
        yield from parsed


def _task_size(article_file: ArticleFile) -> int:
    return 64 + 2 * (len(article_file.path) + len(article_file.file_path))


class _write_transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error, so readers never see half a refresh."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def __enter__(self) -> None:
        self.connection.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, error: object, traceback: object) -> None:
        if kind is None:
            self.connection.execute("COMMIT")
        elif self.connection.in_transaction:  # SQLite rolls back by itself after a full disk or I/O error
            self.connection.execute("ROLLBACK")


def _open_index(database: Path, notices: list[str], rebuild: bool) -> sqlite3.Connection:
    """A connection to newsarc's index at `database`, of this version, in WAL mode.

    A new (empty) database gets the schema; an index of another version, or any with
    `rebuild`, is emptied and given the schema in one transaction, in place: other
    newsarc processes may have it open, and a deleted file would pull it from under
    them. Closed again on any error.
    """
    connection = sqlite3.connect(database, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("PRAGMA busy_timeout = 30000")
        # Looked at before any pragma that writes: another program's database is
        # read, never changed (`journal_mode = WAL` would rewrite its header).
        if _owner(connection) is None:
            raise NotAnIndexError(database)
        _use_wal(connection)
        connection.execute("PRAGMA synchronous = NORMAL")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION and not rebuild:
            connection.execute("SELECT 1 FROM files LIMIT 1").fetchall()
            return connection
        if version not in (0, SCHEMA_VERSION):
            notices.append(f"index {database} is from another version of newsarc; rebuilding it")
        with _write_transaction(connection):
            # Looked at again under the lock: another newsarc may have just done it.
            owner = _owner(connection)
            if owner is None:
                raise NotAnIndexError(database)
            current = connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            if rebuild or owner == "empty" or not current:
                _drop_everything(connection)
                for statement in _schema_statements():
                    connection.execute(statement)
        return connection
    except BaseException:
        connection.close()
        raise


def _owner(connection: sqlite3.Connection) -> str | None:
    """"newsarc" for an index newsarc wrote, "empty" for a database with nothing in
    it (a new file, or one another newsarc is creating), else None."""
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if application_id == APPLICATION_ID and "meta" in tables:
        return "newsarc"
    if application_id != 0:
        return None
    if not tables and connection.execute("PRAGMA user_version").fetchone()[0] == 0:
        return "empty"
    # Versions 1 to 4 wrote no application_id; their tables and version number say it.
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if 1 <= version <= 4 and {"meta", "files", "articles", "articles_fts"} <= tables:
        return "newsarc"
    return None


def _drop_everything(connection: sqlite3.Connection) -> None:
    """Drop every table, view and trigger (in the caller's write transaction)."""
    rows = connection.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    for kind in ("view", "trigger"):
        for row_kind, name, _ in rows:
            if row_kind == kind:
                connection.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
    # Virtual tables first: dropping one drops its shadow tables with it.
    tables = sorted((not (sql or "").upper().startswith("CREATE VIRTUAL"), name)
                    for kind, name, sql in rows if kind == "table")
    for _, name in tables:
        connection.execute(f'DROP TABLE IF EXISTS "{name}"')
    connection.execute("PRAGMA user_version = 0")


def _connect(database: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(database, timeout=30, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA busy_timeout = 30000")
    _use_wal(connection)
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def _use_wal(connection: sqlite3.Connection, seconds: float = 30.0) -> None:
    """Switch to WAL, waiting as a busy timeout would: switching a new database needs a
    lock SQLite does not wait for, so newsarc processes starting together retry."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _encode_snapshot(current: dict[str, FileStat], folders: dict[str, int],
                     unreadable: list[list[str]]) -> bytes:
    """A digest of one walk: equal digests mean no file or folder changed.

    Only the 16-byte digest is stored: reading back the walk itself (11 MB for
    100,000 files) cost more than comparing it.
    """
    return hashlib.blake2b(marshal.dumps((current, folders, unreadable)), digest_size=16).digest()


def _under(paths: Iterable[str], folders_or_files: list[str]) -> set[str]:
    """The `paths` that are one of `folders_or_files` or inside one (`.` is the root)."""
    if "." in folders_or_files:
        return set(paths)
    prefixes = tuple(f"{name}/" for name in folders_or_files)
    return {path for path in paths if path in folders_or_files or path.startswith(prefixes)}


def remove_database(database: Path) -> None:
    """Delete a damaged index database and its WAL/journal companions.

    Only for an index that can no longer be emptied in place: a process that still
    has it open keeps reading the deleted file. NotAnIndexError, deleting nothing,
    unless the file is one newsarc wrote (or is gone already).
    """
    _check_index_path(database)
    if database.exists() and not _header_is_ours(database):
        raise NotAnIndexError(database)
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            Path(f"{database}{suffix}").unlink()


class NotAnIndexError(StoreError):
    """A file newsarc did not write where its index should be: it is never touched."""

    def __init__(self, database: Path) -> None:
        super().__init__(f"{database} is not a newsarc index; not touching it")


_SQLITE_HEADER = b"SQLite format 3\x00"


def _header_is_ours(database: Path) -> bool:
    """True when the file's SQLite header carries newsarc's application_id, or when
    its first transaction, still in the WAL beside it, gave it that id.

    Read from the bytes, so it answers for a database too damaged to open.
    """
    try:
        with open(database, "rb") as handle:
            header = handle.read(100)
    except OSError:
        return False
    if header and not header.startswith(_SQLITE_HEADER):
        return False
    if header and int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return True
    return (not header or int.from_bytes(header[68:72], "big") == 0) and _wal_is_ours(database)


def _is_ours(page: bytes) -> bool:
    return page.startswith(_SQLITE_HEADER) and int.from_bytes(page[68:72], "big") == APPLICATION_ID


def _wal_is_ours(database: Path, frames: int = 256) -> bool:
    """True when one of the first `frames` frames of the WAL is a page 1 with newsarc's id."""
    try:
        with open(f"{database}-wal", "rb") as handle:
            wal_header = handle.read(32)
            if len(wal_header) < 32:
                return False
            page_size = int.from_bytes(wal_header[8:12], "big")
            for _ in range(frames):
                frame_header = handle.read(24)
                page = handle.read(page_size)
                if len(page) < 100:
                    return False
                if int.from_bytes(frame_header[:4], "big") == 1:
                    return _is_ours(page)
    except OSError:
        return False
    return False


def _check_index_path(database: Path) -> None:
    """StoreError when `database` names something newsarc must neither open nor replace:
    a device (`--index /dev/full`), a pipe or a folder. NotAnIndexError for a file with
    bytes that are not an SQLite database at all (`--index notes.txt`)."""
    try:
        info = os.stat(database)
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"cannot use the index {database}: {error.strerror}",
                         hint="pass --index PATH") from None
    if not S_ISREG(info.st_mode):
        raise StoreError(f"the index {database} is not a regular file", hint="pass --index with a file path")
    if info.st_size:
        try:
            with open(database, "rb") as handle:
                header = handle.read(len(_SQLITE_HEADER))
        except OSError as error:
            raise StoreError(f"cannot use the index {database}: {error.strerror}") from None
        if header != _SQLITE_HEADER:
            raise NotAnIndexError(database)


def failure_kind(error: BaseException) -> str | None:
    """What `error` says of the index file: "damaged", "unwritable" (a full disk, a
    read-only file, an I/O error), or None when it is not about the file."""
    if isinstance(error, json.JSONDecodeError):  # a stored record that is no longer JSON
        return "damaged"
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        primary = code & 0xFF
        if primary in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
            return "damaged"
        if primary in (3, 8, 10, 13, 14):  # SQLITE_PERM, _READONLY, _IOERR, _FULL, _CANTOPEN
            return "unwritable"
        return None
    message = str(error)
    if "malformed" in message or "not a database" in message:
        return "damaged"
    if any(word in message for word in ("disk", "readonly", "read-only", "unable to open")):
        return "unwritable"
    return None


def _create(connection: sqlite3.Connection) -> sqlite3.Connection:
    """The schema in a new in-memory database."""
    connection.isolation_level = None
    with _write_transaction(connection):
        for statement in _schema_statements():
            connection.execute(statement)
    return connection


def _schema_statements() -> Iterator[str]:
    statement = ""
    for line in _SCHEMA.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement
            statement = ""


def _is_busy(error: sqlite3.DatabaseError) -> bool:
    return "locked" in str(error) or "busy" in str(error)


def database_path_for(root: Path, cache_dir: Path) -> Path:
    """The per-archive database in the cache folder: one file per archive path."""
    resolved = str(root.resolve())
    digest = hashlib.sha1(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in root.resolve().name)[:40] or "root"
    return cache_dir / f"{name}-{digest}.sqlite"
