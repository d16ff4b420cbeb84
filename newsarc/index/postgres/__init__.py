"""The PostgreSQL index: one shared server index that one machine keeps fresh and
everyone queries, with the SQLite backend's answers.

`schema` creates and checks the tables, `refresh` fills them (from the machine holding
the folder), `compile` turns a query into SQL with bound parameters, and `reads`
answers every question. `PostgresIndex` ties them to one connection. The driver,
psycopg 3, is the optional extra `newsarc[postgres]`.
"""

from __future__ import annotations

import os
import socket
import weakref
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from ...errors import StoreError
from . import reads
from .refresh import Refresh
from .schema import (
    display_location,
    ensure_schema,
    meta,
    remove_schema,
    secret_of,
    server_error,
    use_trigram_schema,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator, Sequence
    from pathlib import Path

    import psycopg

    from ...model import Article, Problem
    from ...query import Query
    from ...results import DuplicateGroup, Heartbeat, Hit, Page, ProgressCallback, RefreshReport, Stats
    from .. import FailureKind, WordNeighbour

_T = TypeVar("_T")
MISSING_DRIVER = ("a PostgreSQL index needs the psycopg driver, which is not installed",
                  "pip install 'newsarc[postgres]'")
# Seconds to wait for the server to answer a connection.
CONNECT_TIMEOUT = 10


class PostgresIndex:
    """An open PostgreSQL index of one archive folder (implements `newsarc.index.Index`)."""

    def __init__(self, connection: psycopg.Connection[Any], root: Path, location: str,
                 secrets: tuple[str | None, ...]) -> None:
        self.connection = connection
        self.root = root
        self.location = location
        self._secrets = secrets
        self._streams: weakref.WeakSet[Generator[object, None, None]] = weakref.WeakSet()

    @classmethod
    def open(cls, root: Path, url: str, notices: list[str], *, rebuild: bool = False) -> PostgresIndex:
        try:
            import psycopg
        except ImportError:
            message, hint = MISSING_DRIVER
            raise StoreError(message, hint=hint) from None
        location = display_location(url)
        secrets = (secret_of(url), os.environ.get("PGPASSWORD"))
        try:
            connection = psycopg.connect(
                url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                application_name=f"newsarc on {socket.gethostname()} (pid {os.getpid()})"[:63])
        except psycopg.Error as error:
            raise StoreError(f"cannot connect to the index server {location}: {_reason(error, secrets)}",
                             hint="is the server running, and the URL right?") from None
        try:
            connection.execute("SET client_min_messages = warning")
            ensure_schema(connection, location, notices, rebuild)
            use_trigram_schema(connection)
        except StoreError:
            connection.close()
            raise
        except psycopg.Error as error:
            connection.close()
            raise server_error(error, location, secrets) from None
        return cls(connection, root, location, secrets)

    @property
    def in_memory(self) -> bool:
        return False

    @property
    def filled(self) -> bool:
        return self._call(lambda: meta(self.connection, "files") is not None)

    def refresh(self, *, mode: str = "full", progress: ProgressCallback | None = None,
                workers: int | None = None, trust_watcher: bool = True,
                deferred: bool = False) -> RefreshReport:
        # `trust_watcher` has nothing to trust here: a server index has no watcher; nor
        # is a refresh deferred (it keeps no fingerprint to end at).
        refresh = Refresh(self.connection, self.root, self.location)
        return self._call(lambda: refresh.refresh(mode=mode, progress=progress, workers=workers))

    @property
    def walking_ahead(self) -> bool:
        return False

    def settle(self) -> bool:
        return True

    def close(self) -> None:
        for stream in list(self._streams):
            stream.close()
        self.connection.close()

    def remove(self) -> None:
        self._call(lambda: remove_schema(self.connection, self.location))

    def failure_kind(self, error: BaseException) -> FailureKind | None:
        # A server's storage is the server's business: newsarc never removes a shared
        # index because one query failed, and has no memory index to fall back to.
        return None

    # questions ---------------------------------------------------------------------------

    def search(self, query: Query, limit: int | None, offset: int) -> Page:
        return self._read(lambda: reads.search_page(self.connection, query, limit, offset))

    def iter_hits(self, query: Query, limit: int | None, offset: int) -> Iterator[Hit]:
        return self._stream(self._snapshot(reads.hit_stream, query, limit, offset))

    def count(self, query: Query) -> int:
        return self._read(lambda: reads.count(self.connection, query))

    def iter_articles(self, query: Query, limit: int | None, offset: int) -> Iterator[Article]:
        return self._stream(reads.article_from_record_json(record)
                            for record in self._snapshot(reads.record_json_page, query, limit, offset))

    def iter_record_json(self, query: Query, limit: int | None, offset: int) -> Iterator[str]:
        return self._stream(self._snapshot(reads.record_json_page, query, limit, offset))

    def iter_paths(self, query: Query, limit: int | None, offset: int) -> Iterator[tuple[str, int | None]]:
        return self._stream(self._snapshot(reads.path_page, query, limit, offset))

    def articles_with_id_prefix(self, prefix: str) -> list[Article]:
        return self._read(lambda: reads.articles_with_id_prefix(self.connection, prefix))

    def articles_at_path(self, path: str) -> list[Article]:
        return self._read(lambda: reads.articles_at_path(self.connection, path))

    def articles_with_url(self, canonical: str) -> list[Article]:
        return self._read(lambda: reads.articles_with_url(self.connection, canonical))

    def article_id_for_url(self, canonical: str) -> str | None:
        return self._read(lambda: reads.article_id_for_url(self.connection, canonical))

    def linked_from(self, canonicals: list[str], article_id: str) -> list[Article]:
        return self._read(lambda: reads.linked_from(self.connection, canonicals, article_id))

    def stats(self, query: Query, by: str, top: int | None) -> Stats:
        return self._read(lambda: reads.stats(self.connection, query, by, top))

    def duplicates(self, query: Query) -> list[DuplicateGroup]:
        return self._read(lambda: reads.duplicates(self.connection, query))

    def field_examples(self, field_name: str, limit: int) -> list[str]:
        return self._read(lambda: reads.field_examples(self.connection, field_name, limit))

    def problems(self) -> list[Problem]:
        return self._read(lambda: reads.problems(self.connection))

    def counts(self) -> tuple[int, int]:
        return self._read(lambda: reads.counts(self.connection))

    def skipped_files(self) -> list[tuple[str, str]]:
        return self._read(lambda: reads.skipped_files(self.connection))

    def folders(self) -> list[str]:
        return self._read(lambda: reads.folders(self.connection))

    def beat(self, heartbeat: Heartbeat) -> None:
        raise StoreError("newsarc watch keeps a local index fresh; a server index is refreshed by "
                         "`newsarc index` on the machine that holds the folder")

    def end_watch(self, pid: int) -> None:
        return None  # a server index never has a watcher's heartbeat

    def word_articles(self, words: Sequence[str], field: str | None, at_most: int) -> dict[str, int]:
        return self._read(lambda: reads.word_articles(self.connection, words, field, at_most))

    def word_neighbours(self, word: str, field: str | None) -> list[WordNeighbour]:
        return self._read(lambda: reads.word_neighbours(self.connection, word, field))

    def similar_words(self, word: str, limit: int = 5) -> list[str]:
        """Indexed words that look like `word` (pg_trgm similarity), closest first: the
        candidates for typo rescue when a word matches nothing."""
        return self._read(lambda: reads.similar_words(self.connection, word, limit))

    # transactions, streams and errors ------------------------------------------------------

    def _call(self, action: Callable[[], _T]) -> _T:
        with self._server_errors():
            return action()

    def _read(self, action: Callable[[], _T]) -> _T:
        with self._server_errors(), self._read_transaction():
            return action()

    @contextmanager
    def _read_transaction(self) -> Iterator[None]:
        """One snapshot for every statement of a question: a refresh committed meanwhile
        is seen by the next question, never halfway through this one."""
        if self.connection.info.transaction_status != 0:  # already in one (a stream)
            yield
            return
        with self.connection.transaction():
            self.connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield

    @contextmanager
    def _server_errors(self) -> Iterator[None]:
        import psycopg

        try:
            yield
        except psycopg.Error as error:
            raise server_error(error, self.location, self._secrets) from None

    def _snapshot(self, page: Callable[..., Iterator[_T]], query: Query, limit: int | None,
                  offset: int) -> Generator[_T, None, None]:
        with self._server_errors(), self._read_transaction():
            yield from page(self.connection, query, limit, offset)

    def _stream(self, stream: Iterator[_T]) -> Generator[_T, None, None]:
        def guarded() -> Generator[_T, None, None]:
            with self._server_errors():
                yield from stream
        generator = guarded()
        self._streams.add(generator)
        return generator


def _reason(error: BaseException, secrets: tuple[str | None, ...]) -> str:
    from .schema import scrub

    text = str(error)
    # libpq's "connection to server at ... failed: REASON": the reason is the news.
    if "failed: " in text:
        text = text.split("failed: ")[-1]
    return scrub(text, secrets) or type(error).__name__


def open_postgres_index(root: Path, url: str, notices: list[str], *, rebuild: bool = False) -> PostgresIndex:
    """See `newsarc.index.open_index`."""
    return PostgresIndex.open(root, url, notices, rebuild=rebuild)
