"""What a cold build sets aside while it fills an empty index from shards, and puts back
when the index is complete: the indexes whose entries land at random places, and FTS5's
merge settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

# FTS5 merges a table's segments as rows are written (`automerge`): by default once four
# segments of a level are there, so each cold build's row is rewritten about
# log4(articles / shard) times. A cold build merges sixteen at a time instead, which
# rewrites each row about half as often (15% of the merge's CPU at 20,000 files) with
# queries as fast. `crisismerge` (all of a level at once, in one transaction) is put
# past it, so the merging stays incremental, spread over the shards' transactions, and
# the WAL about a shard's size. Every other write uses FTS5's defaults again.
BUILD_MERGING = {"automerge": 16, "crisismerge": 64}
DEFAULT_MERGING = {"automerge": 4, "crisismerge": 16}
# Indexes whose entries land at random places (dates, URLs, topics): a cold build
# creates them once its rows are in, from one sort each, instead of rewriting hundreds
# of their pages at every shard's commit (part of the schema of every index).
BUILD_INDEX_SQL = """
CREATE INDEX IF NOT EXISTS articles_published ON articles(published);
CREATE INDEX IF NOT EXISTS articles_newest ON articles(published IS NULL, published DESC);
CREATE INDEX IF NOT EXISTS articles_oldest ON articles(published IS NULL, published);
CREATE INDEX IF NOT EXISTS articles_canonical ON articles(canonical_url);
CREATE INDEX IF NOT EXISTS labels_value ON labels(kind, value);
CREATE INDEX IF NOT EXISTS urls_canonical ON urls(canonical);
CREATE INDEX IF NOT EXISTS related_links_canonical ON related_links(canonical);
"""
BUILD_INDEX_NAMES = ("articles_published", "articles_newest", "articles_oldest", "articles_canonical",
                     "labels_value", "urls_canonical", "related_links_canonical")
# One CREATE INDEX a line.
_BUILD_INDEX_STATEMENTS = [line for line in BUILD_INDEX_SQL.splitlines() if line.strip()]
BUILD_INDEXES = len(_BUILD_INDEX_STATEMENTS)


def drop_build_indexes(connection: sqlite3.Connection) -> None:
    """Drop the indexes a cold build makes at its end (in the caller's write transaction).

    Until `create_build_indexes` runs, the index is not complete (no `files` count),
    so no command queries it: each waits for the build, or completes it.
    """
    for name in BUILD_INDEX_NAMES:
        connection.execute(f"DROP INDEX IF EXISTS {name}")


def create_build_indexes(connection: sqlite3.Connection, only: int | None = None) -> None:
    """Create the indexes `drop_build_indexes` dropped (or only the one numbered `only`,
    from 0 to BUILD_INDEXES - 1); nothing for those that exist."""
    for number, statement in enumerate(_BUILD_INDEX_STATEMENTS):
        if only is None or number == only:
            connection.execute(statement)


def set_merging(connection: sqlite3.Connection, settings: dict[str, int]) -> None:
    """Set every full-text table's merge settings (stored in the index; in the caller's
    write transaction), those not set so already."""
    from .schema import FTS_TABLES  # schema imports this module for BUILD_INDEX_SQL

    for table in FTS_TABLES:
        stored = dict(connection.execute(f"SELECT k, v FROM {table}_config"))
        for name, value in settings.items():
            if stored.get(name, DEFAULT_MERGING[name]) != value:
                connection.execute(f"INSERT INTO {table}({table}, rank) VALUES (?, ?)", (name, value))
