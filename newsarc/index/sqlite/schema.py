"""The SQLite index's schema and its database file: DDL, opening, the ownership
marker (application_id), versions, removal, and what an error says of the file.

One database file per archive. `files` remembers each article file's size and
modification time (and its problems), so a refresh re-parses only what changed.
`articles` holds one row per article with the columns filters and sorting need;
`records` the full lossless record (JSON) for `show` and exports; the full-text
tables of `FTS_TABLES` (see `_TEXT_SCHEMA`) find words; `labels`, `urls` and
`related_links` serve topic filters, URL look-ups, duplicate detection and reverse related links.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ...errors import StoreError
from .. import NotAnIndexError
from .bulkload import BUILD_INDEX_SQL
from .cjk import grams, has_cjk
from .fileheader import APPLICATION_ID, check_index_path, header_is_ours
from .versions import drop_everything, owner

if TYPE_CHECKING:
    from collections.abc import Iterator

# 6: files.skipped, HTML bodies as words; 7: records numbered from 1, entities decoded;
# 8: an English-stemmed table beside the exact one, and CJK grams; 9: indexes on the
# keys `stats` counts by most (PROVIDER_KEY, MONTH_KEY), added in place to an index of 8.
SCHEMA_VERSION = 9
# BM25 weights in the FTS column order: title over topics over excerpt over body;
# the provider's name counts a little, related items' text least.
FTS_COLUMNS = ("title", "topics", "excerpt", "body", "provider", "related")
FTS_WEIGHTS = (10.0, 5.0, 3.0, 1.0, 2.0, 0.5)
# Highlight markers FTS5 puts around matched words; private-use characters that are
# removed from indexed text, so article text cannot forge a highlight.
MARK_START, MARK_END = "\ue000", "\ue001"
MEMORY = ":memory:"
# The tables a refresh fills from parsed files, each with the column that holds the
# article's rowid (None: not keyed by article). Worker processes write these tables
# into shards, and the merge copies each of them; a table added here is merged too.
ROW_TABLES: tuple[tuple[str, str | None], ...] = (
    ("files", None),
    ("articles", "rowid"),
    ("records", "rowid"),
    ("articles_fts", "rowid"),
    ("articles_stem", "rowid"),
    ("articles_cjk", "rowid"),
    ("labels", "article"),
    ("urls", "article"),
    ("related_links", "article"),
)

# The full-text tables, all with the columns of FTS_COLUMNS and the article's rowid:
# - articles_fts: the words as written (unicode61); it holds the text, for snippets;
# - articles_stem: the same text, English-stemmed (porter); external content read from
#   articles_fts, so the text is stored once (a row is deleted with the 'delete' command,
#   given the text it was indexed with, before the articles_fts row goes);
# - articles_cjk: the runs of scripts written without spaces (Han, Kana, Hangul, Thai) as
#   overlapping two-character grams (`cjk.grams`), a row only for articles that have any.
# Shards merged by a builder go through `insert_texts`; every refresh deletes through
# `delete_texts`.
EXACT_TABLE, STEM_TABLE, CJK_TABLE = "articles_fts", "articles_stem", "articles_cjk"
FTS_TABLES = (EXACT_TABLE, STEM_TABLE, CJK_TABLE)

FailureKind = Literal["damaged", "unwritable"]

# The provider and the month of an article as `stats` groups them, each indexed: SQLite
# uses an index on an expression only for the same expression, so reads.py groups by
# these very texts (qualified by its alias `a.`) to walk the index instead of the table.
PROVIDER_KEY = "coalesce({a}provider_name, {a}provider_domain)"
MONTH_KEY = "strftime('%Y-%m', {a}published, 'unixepoch')"
_KEY_INDEXES = (
    f"CREATE INDEX articles_provider_key ON articles({PROVIDER_KEY.format(a='')})",
    f"CREATE INDEX articles_month ON articles({MONTH_KEY.format(a='')})",
)
_KEY_INDEX_DDL = "\n".join(f"{statement};" for statement in _KEY_INDEXES)
# Versions this one differs from by indexes alone, and the statements that add them: such
# an index is brought up to date in place (each CREATE INDEX reads the articles table
# once, seconds at 1,000,000 articles, where a rebuild re-reads every file).
_ADDED_INDEXES = {8: _KEY_INDEXES}

_SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL,
    problems TEXT,
    skipped TEXT
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
CREATE INDEX articles_provider ON articles(provider_domain);
CREATE INDEX articles_provider_name ON articles(provider_name);
{_KEY_INDEX_DDL}
CREATE TABLE labels (article INTEGER NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL COLLATE NOCASE);
CREATE INDEX labels_article ON labels(article);
CREATE TABLE urls (article INTEGER NOT NULL, canonical TEXT NOT NULL);
CREATE INDEX urls_article ON urls(article);
CREATE TABLE related_links (article INTEGER NOT NULL, position INTEGER NOT NULL, canonical TEXT NOT NULL);
CREATE INDEX related_links_article ON related_links(article);
PRAGMA user_version = {SCHEMA_VERSION};
PRAGMA application_id = {APPLICATION_ID};
"""

_COLUMNS = ", ".join(FTS_COLUMNS)
_TEXT_SCHEMA = f"""
CREATE VIRTUAL TABLE {EXACT_TABLE} USING fts5({_COLUMNS}, tokenize = 'unicode61 remove_diacritics 2');
CREATE VIRTUAL TABLE {STEM_TABLE} USING fts5(
    {_COLUMNS}, content = '{EXACT_TABLE}', tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE {CJK_TABLE} USING fts5({_COLUMNS}, tokenize = 'unicode61 remove_diacritics 0');
"""


def insert_texts(connection: sqlite3.Connection, texts: list[tuple[Any, ...]]) -> None:
    """Index (rowid, *FTS_COLUMNS texts) rows in every full-text table."""
    marks = "?" + ", ?" * len(FTS_COLUMNS)
    for table in (EXACT_TABLE, STEM_TABLE):
        connection.executemany(f"INSERT INTO {table}(rowid, {_COLUMNS}) VALUES ({marks})", texts)
    grams = [row for row in (cjk_row(text) for text in texts) if row is not None]
    connection.executemany(f"INSERT INTO {CJK_TABLE}(rowid, {_COLUMNS}) VALUES ({marks})", grams)


def delete_texts(connection: sqlite3.Connection, rowids: list[int]) -> None:
    """Remove articles from every full-text table (the stemmed index first: it is told
    the text it indexed, read from articles_fts)."""
    connection.executemany(
        f"INSERT INTO {STEM_TABLE}({STEM_TABLE}, rowid, {_COLUMNS}) "
        f"SELECT 'delete', rowid, {_COLUMNS} FROM {EXACT_TABLE} WHERE rowid = ?",
        ((rowid,) for rowid in rowids))
    for table in (CJK_TABLE, EXACT_TABLE):
        connection.executemany(f"DELETE FROM {table} WHERE rowid = ?", ((rowid,) for rowid in rowids))


def cjk_row(text_row: tuple[Any, ...]) -> tuple[Any, ...] | None:
    """The articles_cjk row of a (rowid, *texts) row, or None when no text has such a script."""
    rowid, *texts = text_row
    if not any(has_cjk(text) for text in texts):
        return None
    return (rowid, *(grams(text) for text in texts))


def connect(database: Path | None, notices: list[str], *, rebuild: bool = False) -> sqlite3.Connection:
    """A connection to the index at `database` (None means memory), creating it, or
    starting it over when `rebuild` is set, it is from another version or it is damaged.

    NotAnIndexError, touching nothing, when the file is not one newsarc wrote.
    """
    if database is None:
        return _create(sqlite3.connect(MEMORY))
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot create the index folder {database.parent}: {error.strerror}",
                         hint="pass --index PATH or --no-cache") from None
    check_index_path(database)
    try:
        return _open_index(database, notices, rebuild)
    except sqlite3.DatabaseError as error:
        if _is_busy(error):
            raise StoreError(f"the index {database} is locked by another newsarc",
                             hint="try again") from None
        if failure_kind(error) == "unwritable":  # a full disk is no reason to rebuild the index
            raise StoreError(f"cannot write the index {database} ({error})") from None
        if failure_kind(error) != "damaged":
            raise StoreError(f"cannot use the index {database} ({error})") from None
    # Damaged beyond reading: only its header can still say newsarc wrote it.
    if not header_is_ours(database):
        raise NotAnIndexError(database)
    notices.append(f"index {database} is unreadable; rebuilding it")
    remove_database(database)
    return _open_index(database, notices, rebuild=False)


@contextmanager
def read_transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """One read transaction: every statement inside sees the same index, even while
    another newsarc commits a refresh (WAL readers never block that writer)."""
    if connection.in_transaction:
        yield
        return
    connection.execute("BEGIN")
    try:
        yield
    finally:
        connection.execute("COMMIT")


def meta(connection: sqlite3.Connection, key: str) -> Any:
    row = connection.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(connection: sqlite3.Connection, key: str, value: Any) -> None:
    connection.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))


def bare_domain(domain: str) -> str:
    """A provider's domain as the index stores and compares it: lower case, no `www.`."""
    domain = domain.strip().lower()
    return domain[4:] if domain.startswith("www.") else domain


class write_transaction:
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

    A new (empty) database gets the schema; an index of a version of `_ADDED_INDEXES`
    gets the indexes it lacks; one of another version, or any with `rebuild`, is emptied
    and given the schema in one transaction, in place: other newsarc processes may have
    it open, and a deleted file would pull it from under them. Closed again on any error.
    """
    connection = sqlite3.connect(database, timeout=30, isolation_level=None, check_same_thread=False)
    try:
        connection.execute("PRAGMA busy_timeout = 30000")
        # Looked at before any pragma that writes: another program's database is
        # read, never changed (`journal_mode = WAL` would rewrite its header).
        if owner(connection) is None:
            raise NotAnIndexError(database)
        _use_wal(connection)
        connection.execute("PRAGMA synchronous = NORMAL")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version == SCHEMA_VERSION and not rebuild:
            connection.execute("SELECT 1 FROM files LIMIT 1").fetchall()
            return connection
        if version in _ADDED_INDEXES and not rebuild and _add_indexes(connection, version):
            notices.append(f"index {database} is from an earlier version of newsarc; added the indexes "
                           "this one uses")
            return connection
        if version not in (0, SCHEMA_VERSION):
            notices.append(f"index {database} is from another version of newsarc; rebuilding it")
        with write_transaction(connection):
            # Looked at again under the lock: another newsarc may have just done it.
            found = owner(connection)
            if found is None:
                raise NotAnIndexError(database)
            current = connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
            if rebuild or found == "empty" or not current:
                drop_everything(connection)
                for statement in _schema_statements():
                    connection.execute(statement)
        return connection
    except BaseException:
        connection.close()
        raise


def _add_indexes(connection: sqlite3.Connection, version: int) -> bool:
    """Bring an index of `version` up to this one by adding the indexes it lacks, under the
    write lock; False, changing nothing, when it is no longer of that version."""
    with write_transaction(connection):
        found = connection.execute("PRAGMA user_version").fetchone()[0]
        if found != version:  # another newsarc got there first
            return found == SCHEMA_VERSION
        for statement in _ADDED_INDEXES[version]:
            connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    return True


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


def remove_database(database: Path) -> None:
    """Delete a damaged index database and its WAL/journal companions.

    Only for an index that can no longer be emptied in place: a process that still
    has it open keeps reading the deleted file. NotAnIndexError, deleting nothing,
    unless the file is one newsarc wrote (or is gone already).
    """
    check_index_path(database)
    if database.exists() and not header_is_ours(database):
        raise NotAnIndexError(database)
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            Path(f"{database}{suffix}").unlink()


def failure_kind(error: BaseException) -> FailureKind | None:
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
    # "Could not decode to UTF-8": Python's reading of stored text that garbage overwrote.
    if "malformed" in message or "not a database" in message or "Could not decode" in message:
        return "damaged"
    if any(word in message for word in ("disk", "readonly", "read-only", "unable to open")):
        return "unwritable"
    return None


def _create(connection: sqlite3.Connection) -> sqlite3.Connection:
    """The schema in a new in-memory database."""
    connection.isolation_level = None
    with write_transaction(connection):
        for statement in _schema_statements():
            connection.execute(statement)
    return connection


def _schema_statements() -> Iterator[str]:
    return _statements(_SCHEMA + BUILD_INDEX_SQL + _TEXT_SCHEMA)


def _statements(script: str) -> Iterator[str]:
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            yield statement
            statement = ""


def _is_busy(error: sqlite3.DatabaseError) -> bool:
    return "locked" in str(error) or "busy" in str(error)
