"""The index behind an archive: the `Index` protocol the archive asks its questions of,
and `open_index`, which picks the backend from the location.

Every line of SQL lives in a backend package below this one: `sqlite/` (a file per
archive, the default) and `postgres/` (a shared server, for a location that is a
`postgresql://` URL). Each implements `Index`; nothing above this package changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, NamedTuple, Protocol

from ..errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from pathlib import Path

    from ..model import Article, Problem
    from ..query import Query
    from ..results import DuplicateGroup, Heartbeat, Hit, Page, ProgressCallback, RefreshReport, Stats

FRESHNESS_MODES = ("full", "dirs", "none")
"""How much of the folder a refresh looks at: every file, only when a folder moved, nothing."""

FailureKind = Literal["damaged", "unwritable"]
"""What an error says of the index: its storage is damaged, or it cannot be written
(a full disk, a read-only file); the archive rebuilds, or answers from memory."""


class WordNeighbour(NamedTuple):
    """A word of the index's vocabulary near a typed word: how many edits away, in how many articles."""

    word: str
    distance: int
    articles: int


class NotAnIndexError(StoreError):
    """Something newsarc did not write where its index should be: it is never touched."""

    def __init__(self, location: str | Path) -> None:
        super().__init__(f"{location} is not a newsarc index; not touching it")


class Index(Protocol):
    """The operations the archive needs of an index of one archive folder.

    Queries arrive as syntax trees (`Query`); answers leave as model and result objects.
    Streams (`iter_*`) are read in one snapshot, and are closed by `close`.
    """

    @property
    def location(self) -> str:
        """Where the index lives: a file, a server, or ":memory:"."""

    @property
    def in_memory(self) -> bool:
        """True for an index that lives for this process only."""

    @property
    def filled(self) -> bool:
        """Whether a refresh ever completed in this index."""

    def refresh(self, *, mode: str = "full", progress: ProgressCallback | None = None,
                workers: int | None = None, trust_watcher: bool = True,
                deferred: bool = False) -> RefreshReport:
        """Bring the index up to date with the folder; `mode` is one of FRESHNESS_MODES.
        With `trust_watcher`, a running `newsarc watch` that vouches for the index spares the walk.
        With `deferred`, a full refresh may only start its walk and report the index as it
        is: the questions asked until `settle` are answered from it as it is."""

    @property
    def walking_ahead(self) -> bool:
        """True while a deferred refresh's walk runs (until `settle`)."""

    def settle(self) -> bool:
        """End a deferred refresh: True when the index as answered so far holds, False
        when the folder changed (the caller refreshes and asks again); True when none."""

    def folders(self) -> list[str]:
        """The folders of the last full walk, relative to the archive (`""` is the root)."""

    def beat(self, heartbeat: Heartbeat) -> None:
        """Record the watcher's heartbeat (see `sqlite.heartbeat`)."""

    def end_watch(self, pid: int) -> None:
        """Remove the heartbeat of the watcher `pid`."""

    def close(self) -> None:
        """Close the streams handed out, then the index itself."""

    def remove(self) -> None:
        """Delete the (closed) index's storage; NotAnIndexError when newsarc did not write it."""

    def failure_kind(self, error: BaseException) -> FailureKind | None:
        """What `error` says of the index's storage, or None when it is not about it."""

    # questions ---------------------------------------------------------------------------

    def search(self, query: Query, limit: int | None, offset: int) -> Page:
        """One page of matches in the query's order, with highlighted spans for text terms."""

    def iter_hits(self, query: Query, limit: int | None, offset: int) -> Iterator[Hit]:
        """Every match as a hit (snippet spans, and its score in a relevance order), streamed."""

    def count(self, query: Query) -> int: ...

    def iter_articles(self, query: Query, limit: int | None, offset: int) -> Iterator[Article]: ...

    def iter_record_json(self, query: Query, limit: int | None, offset: int) -> Iterator[str]:
        """The stored lossless JSON text of each match, without rebuilding articles."""

    def iter_paths(self, query: Query, limit: int | None, offset: int) -> Iterator[tuple[str, int | None]]:
        """(path, index within the file) of each match."""

    def articles_with_id_prefix(self, prefix: str) -> list[Article]:
        """Up to 20 articles whose id starts with `prefix` (lower-case hexadecimal)."""

    def articles_at_path(self, path: str) -> list[Article]:
        """The articles of the file at `path` (relative to the archive), in file order."""

    def articles_with_url(self, canonical: str) -> list[Article]:
        """The articles one of whose links has the canonical form `canonical`."""

    def article_id_for_url(self, canonical: str) -> str | None:
        """The id of the newest article with the canonical URL `canonical` (related items)."""

    def linked_from(self, canonicals: list[str], article_id: str) -> list[Article]:
        """The other articles listing one of `canonicals` as related, newest first."""

    def stats(self, query: Query, by: str, top: int | None) -> Stats:
        """Counts per `by` (one of STATS_DIMENSIONS), plus a monthly timeline."""

    def duplicates(self, query: Query) -> list[DuplicateGroup]: ...

    def field_examples(self, field_name: str, limit: int) -> list[str]:
        """The most common values of a field ([] for a field without examples)."""

    def problems(self) -> list[Problem]: ...

    def skipped_files(self) -> list[tuple[str, str]]:
        """(path, reason) of each file that is not an article, by path."""

    def counts(self) -> tuple[int, int]:
        """How many articles and problems the index holds."""

    # the vocabulary (typo rescue, "did you mean") -----------------------------------------

    def word_articles(self, words: Sequence[str], field: str | None, at_most: int) -> dict[str, int]:
        """How many articles a search for each of `words` alone in the text field `field`
        (None: any) finds, counted up to `at_most` (a cheap answer for common words)."""

    def word_neighbours(self, word: str, field: str | None) -> list[WordNeighbour]:
        """The index's words one edit away from `word` in `field`, most frequent first."""


def is_server_location(location: object) -> bool:
    """Whether an index location names a server (a `postgresql://` URL), not a file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def default_freshness(location: object) -> str:
    """The freshness mode a command uses when none is given: a server index is kept
    fresh by the machine that holds the folder (`newsarc index`), so its other clients
    use it as it is; a file index is checked against the folder every time."""
    return "none" if is_server_location(location) else "full"


def open_index(root: Path, location: str | Path | None, notices: list[str], *,
               in_memory: bool = False, rebuild: bool = False) -> Index:
    """The index of the archive at `root`: in memory, at `location`, or at the default
    place (`location` None). Emptied first with `rebuild`. When it cannot be opened or
    created for a reason other than another program's file or another newsarc's lock,
    an in-memory index answers instead, and `notices` says why.
    """
    if is_server_location(location) and not in_memory:
        from .postgres import open_postgres_index

        return open_postgres_index(root, str(location), notices, rebuild=rebuild)
    from .sqlite import open_sqlite_index

    return open_sqlite_index(root, None if in_memory else location, notices,
                             in_memory=in_memory, rebuild=rebuild)
