"""How an archive's index is refreshed when it opens: the fallbacks when it cannot be
(`refreshed`), and what a deferred refresh keeps until its walk ends (`Deferred`)."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, TypeVar

from .errors import StoreError
from .index import open_index

if TYPE_CHECKING:
    from collections.abc import Callable, Generator, Iterator
    from pathlib import Path

    from .index import Index
    from .query import Query
    from .results import ProgressCallback, RefreshReport
    from .spelling import Spelling

_T = TypeVar("_T")


class Deferred:
    """A refresh whose walk still runs, and what waits for it to end."""

    def __init__(self, progress: ProgressCallback | None, workers: int | None) -> None:
        self.progress = progress
        self.workers = workers
        self.callbacks: list[Callable[[RefreshReport, list[Spelling]], None]] = []
        self.plain_spellings: list[Query] = []  # whose spelling told nothing, from the index as it was
        self.respelled: list[tuple[Query, Query]] = []


def plain(spelling: Spelling) -> bool:
    """True for a spelling that changes the query in nothing and tells nothing."""
    return not spelling.rescued and not spelling.suggested


def prepended(first: _T, rest: Iterator[_T]) -> Generator[_T, None, None]:
    try:
        yield first
        yield from rest
    finally:
        close = getattr(rest, "close", None)
        if close is not None:
            close()


def refreshed(root: Path, opened: Index, notices: list[str], *, fresh: str, rebuild: bool,
               progress: ProgressCallback | None, workers: int | None, trust_watcher: bool,
               deferred: bool = False) -> tuple[Index, RefreshReport]:
    """`opened` refreshed as `fresh` says, or the index that stands in for it: a damaged
    one rebuilt, one that cannot be written replaced by an in-memory index."""
    for attempt in range(3):
        cold = not opened.in_memory and not opened.filled
        try:
            report = opened.refresh(mode=fresh, progress=progress, workers=workers,
                                    trust_watcher=trust_watcher, deferred=deferred)
            break
        except Exception as error:
            opened.close()
            kind = opened.failure_kind(error) if not opened.in_memory and attempt < 2 else None
            if kind == "unwritable" and cold:
                # A first build that filled the disk: its WAL (tens of MB) would keep
                # the disk full, and the index holds nothing worth keeping.
                with suppress(OSError, StoreError):
                    opened.remove()
            if kind is None:
                raise
            # A damaged index is rebuilt; one that cannot be written (disk full,
            # read-only) gives way to an in-memory index, so the command still answers.
            if kind == "damaged":
                notices.append(f"index {opened.location} is damaged ({error}); rebuilding it")
                opened = open_index(root, opened.location, notices, rebuild=True)
            else:
                notices.append(f"cannot write the index {opened.location} ({error}); "
                               "using an in-memory index for this run")
                opened = open_index(root, None, notices, in_memory=True)
    report.notices[:0] = notices
    report.rebuilt = rebuild or any("rebuilding" in notice for notice in notices)
    return opened, report
