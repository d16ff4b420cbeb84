"""Parsed files -> rows of the index's tables: one INSERT per table for a batch of
files, into the index itself or into a worker's shard (which has the same tables)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .schema import insert_texts

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from .workers import ParsedFile


def insert_parsed(connection: sqlite3.Connection, batch: list[ParsedFile],
                  paths_of_ids: Callable[[list[str]], dict[str, str]]) -> None:
    """Insert parsed files with one statement per table for the whole batch; into the
    index, or into a shard in a worker process. `paths_of_ids` says which of some ids
    are taken already, and by which file."""
    if not batch:
        return
    next_rowid = connection.execute("SELECT coalesce(max(rowid), 0) + 1 FROM articles").fetchone()[0]
    files, articles, records, texts, labels, urls, links = [], [], [], [], [], [], []
    # Ids are unique in the index; one already taken (in this batch or an earlier
    # one) is the file's problem, never an internal error.
    taken = paths_of_ids([row[0][0] for parsed in batch for row in parsed.rows])
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
        files.append((parsed.path, *parsed.stat, json.dumps(problems) if problems else None, parsed.skipped))
    connection.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?)", files)
    if articles:
        marks = ", ".join("?" * len(articles[0]))
        connection.executemany(f"INSERT INTO articles VALUES ({marks})", articles)
    connection.executemany("INSERT INTO records VALUES (?, ?)", records)
    insert_texts(connection, texts)  # every full-text table (plain tables in a shard)
    connection.executemany("INSERT INTO labels VALUES (?, ?, ?)", labels)
    connection.executemany("INSERT INTO urls VALUES (?, ?)", urls)
    connection.executemany("INSERT INTO related_links VALUES (?, ?, ?)", links)
