"""Whose database a file holds: newsarc's index (of any version, including those before
the ownership marker), an empty database, or another program's; and emptying an index
of another version for a rebuild. SQL on the file's catalogue only (`schema.py` opens it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .fileheader import APPLICATION_ID

if TYPE_CHECKING:
    import sqlite3


def owner(connection: sqlite3.Connection) -> str | None:
    """"newsarc" for an index newsarc wrote, "empty" for a database with nothing in
    it (a new file, or one another newsarc is creating), else None."""
    if connection.in_transaction:
        return _owner_seen(connection)
    # One read transaction: another newsarc creating the index may commit between two
    # statements, and a header read before it with tables read after is no one's index.
    connection.execute("BEGIN")
    try:
        return _owner_seen(connection)
    finally:
        if connection.in_transaction:
            connection.execute("ROLLBACK")


def _owner_seen(connection: sqlite3.Connection) -> str | None:
    application_id = connection.execute("PRAGMA application_id").fetchone()[0]
    tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if application_id == APPLICATION_ID and "meta" in tables:
        return "newsarc"
    if application_id != 0:
        return None
    if not tables and version == 0:
        return "empty"
    # Versions 1 to 4 wrote no application_id; their tables and version number say it.
    if 1 <= version <= 4 and {"meta", "files", "articles", "articles_fts"} <= tables:
        return "newsarc"
    return None


def drop_everything(connection: sqlite3.Connection) -> None:
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
