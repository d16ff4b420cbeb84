"""The PostgreSQL index's schema: DDL, the ownership marker, versions, and opening a
connection (with the password kept out of every message).

One database (or one schema, through `search_path` in the URL) per archive. The tables
mirror the SQLite index's; `search` holds three tsvectors per article: `words`
(configuration `simple`: exact forms) and `stems` (`english`: stemmed), both weighted
A title, B topics and the provider, C excerpt, D body, and `related` (the related items'
titles and excerpts, `simple`) apart, so `body:` and `related:` scope apart; `cjk` is the
text of an article written in a script without spaces, searched as substrings through a
pg_trgm index.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...errors import StoreError
from .. import NotAnIndexError

if TYPE_CHECKING:
    import psycopg

SCHEMA_VERSION = 3  # 2: files.skipped; 3: related items stemmed, phrases stemmed
MARKER = "newsarc_marker"
APPLICATION = "newsarc"
# Every table newsarc creates: a database holding any of them without the marker is
# another program's, and is refused.
TABLES = ("meta", "files", "folders", "articles", "records", "search", "labels", "urls", "related_links",
          "vocabulary")
# The advisory lock key serialising refreshes (and schema changes) of one database.
LOCK_KEY = 0x6E657773  # "news"

_SCHEMA = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE files (
    path TEXT PRIMARY KEY,
    size BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    inode BIGINT NOT NULL,
    ctime_ns BIGINT NOT NULL,
    problems TEXT,
    skipped TEXT
);
CREATE TABLE folders (path TEXT PRIMARY KEY, mtime_ns BIGINT NOT NULL);
CREATE TABLE articles (
    rowid BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    position INTEGER,
    title TEXT NOT NULL,
    published BIGINT,
    provider_name TEXT,
    provider_domain TEXT,
    type TEXT,
    category TEXT,
    locale TEXT,
    quality BIGINT,
    heat BIGINT,
    is_published INTEGER,
    has_images INTEGER NOT NULL,
    has_related INTEGER NOT NULL,
    has_body INTEGER NOT NULL,
    has_secured INTEGER NOT NULL,
    url TEXT,
    canonical_url TEXT,
    topics TEXT NOT NULL
);
CREATE TABLE records (rowid BIGINT PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE search (
    rowid BIGINT PRIMARY KEY,
    words TSVECTOR NOT NULL,
    stems TSVECTOR NOT NULL,
    related TSVECTOR NOT NULL,
    related_stems TSVECTOR NOT NULL,
    cjk TEXT
);
CREATE INDEX articles_id ON articles (id text_pattern_ops);
CREATE INDEX articles_path ON articles (path);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_provider ON articles (lower(provider_domain));
CREATE INDEX articles_provider_name ON articles (lower(provider_name));
CREATE INDEX articles_canonical ON articles (canonical_url);
CREATE INDEX search_words ON search USING gin (words);
CREATE INDEX search_stems ON search USING gin (stems);
CREATE INDEX search_related ON search USING gin (related);
CREATE INDEX search_related_stems ON search USING gin (related_stems);
CREATE TABLE labels (article BIGINT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL);
CREATE INDEX labels_value ON labels (kind, lower(value));
CREATE INDEX labels_article ON labels (article);
CREATE TABLE urls (article BIGINT NOT NULL, canonical TEXT NOT NULL);
CREATE INDEX urls_canonical ON urls (canonical);
CREATE INDEX urls_article ON urls (article);
CREATE TABLE related_links (article BIGINT NOT NULL, position INTEGER NOT NULL, canonical TEXT NOT NULL);
CREATE INDEX related_links_canonical ON related_links (canonical);
CREATE INDEX related_links_article ON related_links (article);
-- Every word ever indexed (never pruned: a word gone from the archive only makes a
-- suggestion that finds nothing), for typo rescue by trigram similarity.
CREATE TABLE vocabulary (word TEXT PRIMARY KEY);
CREATE TABLE newsarc_marker (application TEXT NOT NULL, version INTEGER NOT NULL);
"""


def display_location(conninfo: str) -> str:
    """The URL as newsarc shows it: user, host, port and database, never a password."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(conninfo)
    except Exception:
        return "postgresql://(an invalid URL)"
    user = f"{parts['user']}@" if parts.get("user") else ""
    host = str(parts.get("host") or parts.get("hostaddr") or "")
    if "/" in host or "," in host:
        host = f"[{host}]" if "/" in host else host
    port = f":{parts['port']}" if parts.get("port") else ""
    database = f"/{parts['dbname']}" if parts.get("dbname") else ""
    return f"postgresql://{user}{host}{port}{database}"


def secret_of(conninfo: str) -> str | None:
    """The password written in the URL, found even in a URL libpq cannot read (whose
    error message quotes the URL back)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        password = conninfo_to_dict(conninfo).get("password")
    except Exception:
        password = None
    if not password:
        written = re.match(r"[a-z]+://[^/@]*?:([^/]*)@", conninfo)
        password = written.group(1) if written else None
    return str(password) if password else None


def scrub(message: str, secrets: tuple[str | None, ...]) -> str:
    """`message` with every secret (a password from the URL or PGPASSWORD) masked."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, "***")
    return message.strip().splitlines()[0] if message.strip() else message


def ensure_schema(connection: psycopg.Connection[Any], location: str, notices: list[str],
                  rebuild: bool) -> None:
    """Create the schema on first use, start it over with `rebuild` or for another
    version, or refuse a database whose tables newsarc did not create.

    Under the advisory lock, so two newsarc processes starting on a new database do not
    both create it, and in one transaction, so readers see the old tables or the new.
    """
    owner = _owner(connection)
    if owner == "newsarc" and not rebuild and _version(connection) == SCHEMA_VERSION:
        return
    if owner is None:
        raise NotAnIndexError(location)
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        owner = _owner(connection)  # looked at again under the lock
        if owner is None:
            raise NotAnIndexError(location)
        version = _version(connection) if owner == "newsarc" else None
        if owner == "newsarc" and not rebuild and version == SCHEMA_VERSION:
            return
        if owner == "newsarc" and version != SCHEMA_VERSION:
            notices.append(f"index {location} is from another version of newsarc; rebuilding it")
        if owner == "newsarc":
            for table in (*TABLES, MARKER):
                # Table names are constants of this module, never user input.
                connection.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                connection.execute(statement)
        _create_trigram_index(connection)
        connection.execute(f"INSERT INTO {MARKER} VALUES (%s, %s)", (APPLICATION, SCHEMA_VERSION))


def _create_trigram_index(connection: psycopg.Connection[Any]) -> None:
    """The pg_trgm index of `search.cjk`, naming the operator class in the schema the
    extension lives in (which need not be on this index's search_path)."""
    from psycopg import sql

    row = connection.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                             "ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").fetchone()
    schema = row[0] if row else "public"
    for statement in ("CREATE INDEX search_cjk ON search USING gin (cjk {}.gin_trgm_ops)",
                      "CREATE INDEX vocabulary_trigrams ON vocabulary USING gin (word {}.gin_trgm_ops)"):
        connection.execute(sql.SQL(statement).format(sql.Identifier(schema)))


def use_trigram_schema(connection: psycopg.Connection[Any]) -> None:
    """Put pg_trgm's schema at the end of this session's search_path (when it is not on
    it), so its functions answer while newsarc's tables stay in the first schema."""
    row = connection.execute(
        "SELECT n.nspname, n.nspname = ANY(current_schemas(false)) FROM pg_extension e "
        "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").fetchone()
    if row is not None and not row[1]:
        connection.execute("SELECT set_config('search_path', current_setting('search_path') || ', ' "
                           "|| quote_ident(%s), false)", (row[0],))


def _owner(connection: psycopg.Connection[Any]) -> str | None:
    """"newsarc" when the marker says newsarc created the tables, "empty" when none of
    newsarc's table names is taken in the current schema, else None (someone else's)."""
    # pg_class, not information_schema: its views cost half a second on a new connection.
    rows = connection.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relname = ANY(%s) "
        "AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
        ([*TABLES, MARKER],),
    ).fetchall()
    names = {name for (name,) in rows}
    if not names:
        return "empty"
    if MARKER not in names:
        return None
    row = connection.execute(f"SELECT application FROM {MARKER} LIMIT 1").fetchone()
    return "newsarc" if row is not None and row[0] == APPLICATION else None


def _version(connection: psycopg.Connection[Any]) -> int | None:
    row = connection.execute(f"SELECT version FROM {MARKER} LIMIT 1").fetchone()
    return int(row[0]) if row else None


def remove_schema(connection: psycopg.Connection[Any], location: str) -> None:
    """Drop newsarc's tables; NotAnIndexError, dropping nothing, when they are not its own."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        owner = _owner(connection)
        if owner is None:
            raise NotAnIndexError(location)
        for table in (*TABLES, MARKER):
            connection.execute(f"DROP TABLE IF EXISTS {table}")


def meta(connection: psycopg.Connection[Any], key: str) -> str | None:
    row = connection.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
    return row[0] if row else None


def set_meta(connection: psycopg.Connection[Any], key: str, value: object) -> None:
    connection.execute(
        "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, None if value is None else str(value)),
    )


def server_error(error: BaseException, location: str, secrets: tuple[str | None, ...]) -> StoreError:
    """One line for an error of the server or the connection, without a password."""
    import psycopg

    text = scrub(str(error), secrets) or type(error).__name__
    lost = isinstance(error, psycopg.OperationalError)  # the connection, not the question
    return StoreError(f"the index server {location} failed: {text}", hint="try again" if lost else None)
