"""The Python API every command calls: `Archive.open(path)`, then one method per question."""

from __future__ import annotations

import weakref
from collections.abc import Generator, Iterator
from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from .errors import AmbiguousError, ArchiveError, NotFoundError, StoreError
from .files import walk_archive
from .model import Article, Problem
from .parsing import ParseResult, parse_file
from .query import Query
from .results import (
    DuplicateGroup,
    Hit,
    Page,
    ProgressCallback,
    RefreshReport,
    RelatedView,
    ResolvedRelated,
    Span,
    Stats,
)
from .sqlquery import CompiledQuery, compile_query
from .store import (
    MARK_END,
    MARK_START,
    NotAnIndexError,
    Store,
    article_from_blob,
    database_path_for,
    failure_kind,
    record_json_from_blob,
    remove_database,
)
from .urls import canonical_url

FRESHNESS_MODES = ("full", "dirs", "none")
STATS_DIMENSIONS = ("provider", "domain", "topic", "month", "year", "type")

def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("newsarc")) / "indexes"


class Archive:
    """An archive folder and its index, refreshed when opened."""

    def __init__(self, root: Path, store: Store, report: RefreshReport) -> None:
        self.root = root
        self.store = store
        self.report = report
        # Streams handed out and perhaps abandoned half-read (a closed pipe, Ctrl-C):
        # closed before the connection, so none finishes its read transaction on a
        # closed database when the garbage collector gets to it.
        self._streams: weakref.WeakSet[Generator[object, None, None]] = weakref.WeakSet()

    @classmethod
    def open(
        cls,
        root: str | Path,
        *,
        index: str | Path | None = None,
        in_memory: bool = False,
        fresh: str = "full",
        rebuild: bool = False,
        progress: ProgressCallback | None = None,
        workers: int | None = None,
    ) -> Archive:
        """Open the archive at `root` and refresh its index as `fresh` says."""
        root = Path(root)
        if not root.is_dir():
            raise ArchiveError(f"no archive folder at {root}", hint="pass --archive PATH or set NEWSARC_ARCHIVE")
        notices: list[str] = []
        database = None if in_memory else _database_path(root, index)
        store = _open_store(root, database, notices, rebuild)
        for attempt in range(3):
            cold = store.location != ":memory:" and not store.filled
            try:
                report = store.refresh(mode=fresh, progress=progress, workers=workers)
                break
            except Exception as error:
                store.close()
                kind = failure_kind(error) if store.location != ":memory:" and attempt < 2 else None
                if kind == "unwritable" and cold and database is not None:
                    # A first build that filled the disk: its WAL (tens of MB) would keep
                    # the disk full, and the index holds nothing worth keeping.
                    with suppress(OSError, StoreError):
                        remove_database(database)
                if kind is None:
                    raise
                # A damaged index is rebuilt; one that cannot be written (disk full,
                # read-only) gives way to an in-memory index, so the command still answers.
                if kind == "damaged":
                    notices.append(f"index {database} is damaged ({error}); rebuilding it")
                    store = _open_store(root, database, notices, rebuild=True)
                else:
                    notices.append(f"cannot write the index {database} ({error}); "
                                   "using an in-memory index for this run")
                    store = Store.open(root, None, notices)
        report.notices[:0] = notices
        report.rebuilt = rebuild or any("rebuilding" in notice for notice in notices)
        return cls(root, store, report)

    def close(self) -> None:
        for stream in list(self._streams):
            stream.close()
        self.store.close()

    def _stream(self, stream: Generator[_T, None, None]) -> Generator[_T, None, None]:
        self._streams.add(stream)
        return stream

    def failure(self, error: BaseException) -> StoreError | None:
        """The one-line error for `error` when it says the index is damaged or cannot be
        written (the damaged index is removed, so the next command rebuilds it); else None."""
        kind = failure_kind(error)
        if kind is None or self.store.location == ":memory:":
            return None
        self.close()
        location = self.store.location
        if kind == "damaged":
            try:
                remove_database(Path(location))
            except (OSError, StoreError):
                return StoreError(f"the index {location} is damaged ({error})",
                                  hint="delete it, or pass --no-cache")
            return StoreError(f"the index {location} was damaged ({error}) and has been removed",
                              hint="run the command again to rebuild it")
        return StoreError(f"cannot use the index {location} ({error})",
                          hint="free some disk space, or pass --no-cache")

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # questions -------------------------------------------------------------------------

    def search(self, query: Query, *, limit: int | None = None, offset: int = 0) -> Page:
        """One page of the articles matching `query`, in its sort order, with snippets for text."""
        with self.store.snapshot():
            return self._search(query, limit, offset)

    def _search(self, query: Query, limit: int | None, offset: int) -> Page:
        compiled = compile_query(query)
        total = self._count(compiled)
        source, source_parameters = compiled.from_clause()
        parameters = source_parameters + compiled.parameters
        # Sort rowids only, then read the records of the page: sorting whole records
        # would drag every matching article through SQLite's sorter.
        rowids = [rowid for (rowid,) in self.store.execute(
            f"SELECT a.rowid FROM {source} WHERE {compiled.where} "
            f"ORDER BY {compiled.order_by()} LIMIT ? OFFSET ?",
            [*parameters, -1 if limit is None else limit, offset],
        )]
        hits = [Hit(article_from_blob(blob)) for blob in self.store.blobs_in_order(rowids)]
        if compiled.rank_match and hits:
            self._add_snippets(compiled.rank_match, rowids, hits)
        return Page(hits, total, offset, limit)

    def iter_articles(self, query: Query, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Every matching article in sort order, streamed (memory stays flat)."""
        return self._stream(article_from_blob(blob) for blob in self._iter_blobs(query, limit, offset))

    def iter_json_records(self, query: Query, *, limit: int | None = None, offset: int = 0) -> Iterator[str]:
        """Every matching article's lossless JSON text, streamed without rebuilding articles."""
        return self._stream(record_json_from_blob(blob) for blob in self._iter_blobs(query, limit, offset))

    def iter_paths(self, query: Query, *, limit: int | None = None, offset: int = 0) -> Iterator[tuple[str, int | None]]:
        """(path, index within the file) of every matching article, in sort order."""
        return self._stream(self._paths(query, limit, offset))

    def _paths(self, query: Query, limit: int | None,
               offset: int) -> Generator[tuple[str, int | None], None, None]:
        compiled = compile_query(query)
        source, source_parameters = compiled.from_clause()
        yield from self.store.execute(
            f"SELECT a.path, a.position FROM {source} WHERE {compiled.where} ORDER BY {compiled.order_by()} "
            "LIMIT ? OFFSET ?",
            [*source_parameters, *compiled.parameters, -1 if limit is None else limit, offset],
        )

    def count(self, query: Query) -> int:
        return self._count(compile_query(query))

    def _count(self, compiled: CompiledQuery) -> int:
        source, source_parameters = compiled.from_clause(counting=True)
        return self.store.execute(
            f"SELECT count(*) FROM {source} WHERE {compiled.where}", source_parameters + compiled.parameters
        ).fetchone()[0]

    def get(self, reference: str) -> Article:
        """The article named by an id (or unique id prefix), a path, or a URL."""
        reference = reference.strip()
        candidates = self._candidates(reference)
        if not candidates:
            raise NotFoundError(f"no article matches {reference!r}", hint="use an id from `newsarc list`")
        if len(candidates) > 1:
            shown = ", ".join(f"{article.id[:12]} ({article.path})" for article in candidates[:8])
            raise AmbiguousError(f"{reference!r} matches {len(candidates)} articles: {shown}",
                                hint="give more characters of the id")
        return candidates[0]

    def related(self, article: Article) -> RelatedView:
        """The article's related items resolved to archive ids, and the articles linking to it."""
        items = []
        for position, item in enumerate(article.related):
            canonical = canonical_url(item.url)
            found = None
            if canonical:
                row = self.store.execute(
                    "SELECT a.id FROM urls u JOIN articles a ON a.rowid = u.article WHERE u.canonical = ? "
                    "ORDER BY a.published DESC LIMIT 1",
                    (canonical,),
                ).fetchone()
                found = row[0] if row else None
            items.append(ResolvedRelated(position, item, found))
        own_urls = [url for url in {canonical_url(u) for u in (article.web_url, article.original_url,
                                                                article.amp_web_url, article.cdn_amp_web_url)} if url]
        linked_from: list[Article] = []
        if own_urls:
            marks = ", ".join("?" * len(own_urls))
            rowids = [rowid for (rowid,) in self.store.execute(
                f"SELECT DISTINCT a.rowid FROM related_links r JOIN articles a ON a.rowid = r.article "
                f"WHERE r.canonical IN ({marks}) AND a.id != ? ORDER BY a.published DESC",
                [*own_urls, article.id],
            )]
            linked_from = [article_from_blob(blob) for blob in self.store.blobs_in_order(rowids)]
        return RelatedView(article, items, linked_from)

    def stats(self, query: Query, by: str = "provider", *, top: int | None = None) -> Stats:
        """Article counts per provider, domain, topic, month, year or type, plus a monthly timeline."""
        if by not in STATS_DIMENSIONS:
            raise ArchiveError(f"cannot count by {by!r}", hint="use one of " + ", ".join(STATS_DIMENSIONS))
        compiled = compile_query(query)
        source, source_parameters = compiled.from_clause(counting=True)
        parameters = source_parameters + compiled.parameters
        key, join = _STATS_KEYS[by]
        sql = (f"SELECT {key} AS k, count(*) AS n FROM {source} {join} WHERE {compiled.where} "
               "GROUP BY k ORDER BY n DESC, k")
        order_by_key = by in ("month", "year")
        if order_by_key:
            sql = sql.replace("ORDER BY n DESC, k", "ORDER BY k IS NULL, k")
        if top is not None:
            sql += f" LIMIT {int(top)}"
        counts = [(label if label is not None else "(none)", count)
                  for label, count in self.store.execute(sql, parameters)]
        total = self.store.execute(f"SELECT count(*) FROM {source} WHERE {compiled.where}", parameters).fetchone()[0]
        month_key, _ = _STATS_KEYS["month"]
        timeline = [
            (label, count)
            for label, count in self.store.execute(
                f"SELECT {month_key} AS k, count(*) FROM {source} WHERE {compiled.where} "
                "AND a.published IS NOT NULL GROUP BY k ORDER BY k", parameters)
        ]
        return Stats(by, total, counts, timeline)

    def duplicates(self, query: Query) -> list[DuplicateGroup]:
        """Groups of articles that are the same story: same canonical URL, or same provider and title."""
        compiled = compile_query(query)
        source, source_parameters = compiled.from_clause(counting=True)
        parameters = source_parameters + compiled.parameters
        groups: list[DuplicateGroup] = []
        grouped: set[int] = set()
        for reason, key in (("same URL", "a.canonical_url"),
                            ("same provider and title", "lower(a.provider_domain) || '|' || lower(trim(a.title))")):
            rows = self.store.execute(
                f"SELECT {key} AS k, group_concat(a.rowid) FROM {source} WHERE {compiled.where} "
                f"AND {key} IS NOT NULL GROUP BY k HAVING count(*) > 1 ORDER BY k", parameters,
            ).fetchall()
            for _, rowid_list in rows:
                rowids = [int(rowid) for rowid in rowid_list.split(",")]
                if set(rowids) <= grouped:
                    continue
                grouped.update(rowids)
                found = self.store.articles_by_rowid(rowids)
                articles = sorted(found.values(), key=lambda a: (a.published or _EPOCH, a.path))
                groups.append(DuplicateGroup(reason, articles))
        return groups

    def problems(self) -> list[Problem]:
        return self.store.problems()

    def field_examples(self, field_name: str, limit: int = 5) -> list[str]:
        """The most common values of a field in this archive (for `fields` and completion)."""
        sql = _EXAMPLE_SQL.get(field_name)
        if sql is None:
            return []
        return [str(value) for (value,) in self.store.execute(sql, (limit,)) if value is not None]

    # helpers ---------------------------------------------------------------------------

    def _iter_blobs(self, query: Query, limit: int | None, offset: int) -> Generator[str, None, None]:
        return self._stream(self._snapshot_blobs(query, limit, offset))

    def _snapshot_blobs(self, query: Query, limit: int | None, offset: int) -> Generator[str, None, None]:
        # The ids and their records are read in one transaction: a refresh committed
        # meanwhile by another newsarc must not make records vanish from an export.
        with self.store.snapshot():
            yield from self._blobs(query, limit, offset)

    def _blobs(self, query: Query, limit: int | None, offset: int) -> Iterator[str]:
        compiled = compile_query(query)
        source, source_parameters = compiled.from_clause()
        rowids = [rowid for (rowid,) in self.store.execute(
            f"SELECT a.rowid FROM {source} WHERE {compiled.where} ORDER BY {compiled.order_by()} "
            "LIMIT ? OFFSET ?",
            [*source_parameters, *compiled.parameters, -1 if limit is None else limit, offset],
        )]
        yield from self.store.blobs_in_order(rowids)

    def _add_snippets(self, rank_match: str, rowids: list[int], hits: list[Hit]) -> None:
        # In chunks, like blobs_in_order: SQLite caps the parameters of one statement.
        for start in range(0, len(rowids), 256):
            self._add_snippet_chunk(rank_match, rowids[start : start + 256], hits[start : start + 256])

    def _add_snippet_chunk(self, rank_match: str, rowids: list[int], hits: list[Hit]) -> None:
        marks = ", ".join("?" * len(rowids))
        rows = self.store.execute(
            f"SELECT rowid, highlight(articles_fts, 0, ?1, ?2), "
            f"snippet(articles_fts, 2, ?1, ?2, '…', 24), snippet(articles_fts, 3, ?1, ?2, '…', 24), "
            f"snippet(articles_fts, 5, ?1, ?2, '…', 24) "
            f"FROM articles_fts WHERE articles_fts MATCH ?3 AND rowid IN ({marks})",
            [MARK_START, MARK_END, rank_match, *rowids],
        )
        by_rowid = {row[0]: row[1:] for row in rows}
        for rowid, hit in zip(rowids, hits):
            if rowid not in by_rowid:
                continue
            title, *snippets = by_rowid[rowid]
            hit.title_spans = spans(title)
            marked = next((snippet for snippet in snippets if MARK_START in snippet), snippets[0])
            hit.snippet_spans = spans(marked)

    def _candidates(self, reference: str) -> list[Article]:
        execute = self.store.execute
        queries: list[tuple[str, list[str]]] = []
        lowered = reference.lower()
        if len(lowered) >= 4 and all(c in "0123456789abcdef" for c in lowered):
            queries.append(("SELECT rowid FROM articles WHERE id GLOB ? LIMIT 20", [lowered + "*"]))
        relative = self._relative_path(reference)
        if relative is not None:
            queries.append(("SELECT rowid FROM articles WHERE path = ? ORDER BY position", [relative]))
        if "/" in reference or "." in reference:
            canonical = canonical_url(reference)
            if canonical:
                queries.append(("SELECT a.rowid FROM urls u JOIN articles a ON a.rowid = u.article "
                                "WHERE u.canonical = ?", [canonical]))
        for sql, parameters in queries:
            rowids = [rowid for (rowid,) in execute(sql, parameters)]
            if rowids:
                return [article_from_blob(blob) for blob in self.store.blobs_in_order(rowids)]
        return []

    def _relative_path(self, reference: str) -> str | None:
        candidate = Path(reference)
        try:
            exists = candidate.exists()
        except OSError:  # a name too long for a path (a long URL): it names no file
            exists = False
        if candidate.is_absolute() or exists:
            try:
                return candidate.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                return None
        return reference.strip("/") or None


_T = TypeVar("_T")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_STATS_KEYS = {
    "provider": ("coalesce(a.provider_name, a.provider_domain)", ""),
    "domain": ("a.provider_domain", ""),
    "type": ("a.type", ""),
    "month": ("strftime('%Y-%m', a.published, 'unixepoch')", ""),
    "year": ("strftime('%Y', a.published, 'unixepoch')", ""),
    "topic": ("l.value", "JOIN labels l ON l.article = a.rowid AND l.kind = 'topic'"),
}

_EXAMPLE_SQL = {
    "provider": "SELECT provider_domain FROM articles GROUP BY provider_domain ORDER BY count(*) DESC LIMIT ?",
    "domain": "SELECT provider_domain FROM articles GROUP BY provider_domain ORDER BY count(*) DESC LIMIT ?",
    "topic": "SELECT value FROM labels WHERE kind = 'topic' GROUP BY value ORDER BY count(*) DESC LIMIT ?",
    "category": "SELECT value FROM labels WHERE kind = 'category' GROUP BY value ORDER BY count(*) DESC LIMIT ?",
    "type": "SELECT type FROM articles GROUP BY type ORDER BY count(*) DESC LIMIT ?",
    "locale": "SELECT locale FROM articles GROUP BY locale ORDER BY count(*) DESC LIMIT ?",
    "quality": "SELECT quality FROM articles WHERE quality IS NOT NULL GROUP BY quality ORDER BY count(*) DESC LIMIT ?",
    "heat": "SELECT heat FROM articles WHERE heat IS NOT NULL GROUP BY heat ORDER BY count(*) DESC LIMIT ?",
    "date": "SELECT strftime('%Y-%m-%d', published, 'unixepoch') FROM articles WHERE published IS NOT NULL "
    "ORDER BY published DESC LIMIT ?",
    "id": "SELECT substr(id, 1, 8) FROM articles ORDER BY published DESC LIMIT ?",
    "path": "SELECT path FROM articles ORDER BY published DESC LIMIT ?",
}


def spans(marked: str) -> list[Span]:
    """Split FTS5-marked text into (text, matched) pieces."""
    pieces: list[Span] = []
    rest = marked
    while rest:
        start = rest.find(MARK_START)
        if start < 0:
            pieces.append((rest, False))
            break
        if start:
            pieces.append((rest[:start], False))
        end = rest.find(MARK_END, start)
        end = len(rest) if end < 0 else end
        pieces.append((rest[start + 1 : end], True))
        rest = rest[end + 1 :]
    return [(text, matched) for text, matched in pieces if text]


def _database_path(root: Path, index: str | Path | None) -> Path:
    database = Path(index) if index is not None else database_path_for(root, default_cache_dir())
    resolved_root = root.resolve()
    resolved = database.resolve()
    if resolved_root == resolved or resolved_root in resolved.parents:
        raise StoreError(f"the index {database} would be inside the archive, and newsarc never writes there",
                         hint="pass --index with a path outside the archive, or --no-cache")
    return database


def _open_store(root: Path, database: Path | None, notices: list[str], rebuild: bool) -> Store:
    try:
        return Store.open(root, database, notices, rebuild=rebuild)
    except NotAnIndexError:
        raise  # another program's file: an error, never a reason to work around it
    except StoreError as error:
        if database is None or "locked" in error.message:
            raise
        notices.append(f"{error.message}; using an in-memory index for this run")
        return Store.open(root, None, notices)
    except Exception as error:  # creating the index failed: a full disk, a read-only folder
        if database is None or failure_kind(error) != "unwritable":
            raise
        notices.append(f"cannot write the index {database} ({error}); using an in-memory index for this run")
        return Store.open(root, None, notices)


def load_archive(root: str | Path) -> ParseResult:
    """Parse every article file below `root` without an index, collecting problems."""
    root = Path(root)
    if not root.is_dir():
        raise ArchiveError(f"no archive folder at {root}", hint="pass --archive PATH")
    result = ParseResult()
    for article_file in walk_archive(root, result.problems):
        parsed = parse_file(article_file.file_path, article_file.path)
        result.articles.extend(parsed.articles)
        result.problems.extend(parsed.problems)
    return result
