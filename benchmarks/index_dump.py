"""Everything an index holds, as text that does not depend on rowids, to compare two builds.

    python benchmarks/index_dump.py INDEX OUT

Writes every ordinary table (rows sorted; an article's rowid replaced by its id, since
rowids follow the order shards were merged in) and each full-text table's vocabulary
(fts5vocab 'instance': term, article id, column, offset), each under a line
`== NAME ROWS DIGEST`. Run it on an index built before and after a change and `cmp` the
two files. The walk's own records (`meta` snapshot, listings, fingerprint, building) are
left out: they hold times of the run.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from typing import TextIO

FTS_TABLES = ("articles_fts", "articles_stem", "articles_cjk")
KEYED = {"articles": "rowid", "records": "rowid", "labels": "article", "urls": "article",
         "related_links": "article"}
RUN_META = ("building", "fingerprint", "snapshot", "listings")


def dump(index: str, out: str) -> None:
    connection = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    ids = dict(connection.execute("SELECT rowid, id FROM articles"))
    tables = [name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    with open(out, "w", encoding="utf-8") as handle:
        for table in sorted(tables):
            if table in FTS_TABLES or table.startswith(tuple(f"{name}_" for name in FTS_TABLES)):
                continue
            _section(handle, table, sorted(_rows(connection, table, ids)))
        for table in FTS_TABLES:
            connection.execute(
                f"CREATE VIRTUAL TABLE temp.vocab_{table} USING fts5vocab(main, {table}, instance)")
            rows = sorted(f"{term}\t{ids[rowid]}\t{column}\t{offset}" for term, rowid, column, offset
                          in connection.execute(f"SELECT * FROM temp.vocab_{table}"))
            _section(handle, f"vocab {table}", rows)


def _rows(connection: sqlite3.Connection, table: str, ids: dict[int, str]) -> list[str]:
    columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
    keyed = KEYED.get(table)
    rows = []
    for rowid, *values in connection.execute(f"SELECT rowid, * FROM {table}"):
        if keyed == "rowid":  # the rowid column (or the implicit rowid) becomes the id
            named = zip(columns, values, strict=True)
            values = [ids[rowid], *(value for name, value in named if name != "rowid")]
        elif keyed:
            position = columns.index(keyed)
            values[position] = ids[values[position]]
        if table == "meta" and values[0] in RUN_META:
            continue
        rows.append(repr(values))
    return rows


def _section(handle: TextIO, name: str, rows: list[str]) -> None:
    digest = hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]
    handle.write(f"== {name} {len(rows)} {digest}\n")
    handle.writelines(f"{row}\n" for row in rows)


if __name__ == "__main__":
    dump(sys.argv[1], sys.argv[2])
