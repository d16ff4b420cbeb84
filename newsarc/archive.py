"""The Python API every command calls: `Archive.open(path)`, then one method per question.

The archive holds no SQL: it asks its `Index` (see `newsarc.index`) and decides what
the answers mean (which reference an id, a path or a URL is; which index answers
when the one on disk is damaged or cannot be written).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, cast

from .errors import AmbiguousError, ArchiveError, NotFoundError, StoreError
from .index import FRESHNESS_MODES, open_index
from .model import record_index, record_number
from .refreshing import Deferred, plain, prepended, refreshed
from .results import (
    DuplicateGroup,
    Heartbeat,
    Hit,
    Page,
    ProgressCallback,
    RefreshReport,
    RelatedView,
    ResolvedRelated,
    Span,
    Stats,
    with_empty_months,
)
from .slotted import replace
from .spelling import Spelling, check_spelling
from .urls import canonical_url

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from .index import Index
    from .model import Article, Problem
    from .parsing import ParseResult
    from .query import Query

__all__ = [
    "FRESHNESS_MODES", "STATS_DIMENSIONS", "Archive", "load_archive",
    # the result types, importable from here as before they moved to results.py
    "DuplicateGroup", "Hit", "Page", "ProgressCallback", "RefreshReport", "RelatedView",
    "ResolvedRelated", "Span", "Spelling", "Stats",
]  # fmt: skip

_T = TypeVar("_T")
_Q = TypeVar("_Q", bound="Query | None")

STATS_DIMENSIONS = ("provider", "domain", "topic", "month", "year", "type")
"""What `stats` can count by."""


class Archive:
    """An archive folder and its index, refreshed when opened."""

    def __init__(self, root: Path, index: Index, report: RefreshReport) -> None:
        self.root = root
        self.index = index
        self._report = report
        self._deferred: Deferred | None = None
        self._respelled: list[tuple[Query, Query]] = []  # (typed, rescued) after a late refresh

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
        trust_watcher: bool = True,
        deferred: bool = False,
    ) -> Archive:
        """Open the archive at `root` and refresh its index as `fresh` says (a running
        `newsarc watch` that vouches for the index spares the walk, with `trust_watcher`).

        With `deferred`, a full refresh of an index that may be current only starts its
        walk: questions are answered while it runs, each answer kept only once the walk
        found the index current, else asked again after the refresh (see `when_settled`).
        """
        root = Path(root)
        if not root.is_dir():
            raise ArchiveError(f"no archive folder at {root}",
                               hint="pass --archive PATH or set NEWSARC_ARCHIVE")
        notices: list[str] = []
        opened = open_index(root, index, notices, in_memory=in_memory, rebuild=rebuild)
        deferred = deferred and fresh == "full" and not rebuild and not notices
        opened, report = refreshed(root, opened, notices, fresh=fresh, rebuild=rebuild, progress=progress,
                                    workers=workers, trust_watcher=trust_watcher, deferred=deferred)
        archive = cls(root, opened, report)
        if deferred and opened.walking_ahead:  # else the refresh is final: told before any question
            archive._deferred = Deferred(progress, workers)
        return archive

    def close(self) -> None:
        self.index.close()

    @property
    def report(self) -> RefreshReport:
        """What the refresh found (a deferred one is settled first)."""
        self._settle()
        return self._report

    def when_settled(self, callback: Callable[[RefreshReport, list[Spelling]], None]) -> None:
        """Call `callback` with the refresh's report once it is final: now, or, after a
        deferred refresh, when the first answer is kept (with the spellings that the
        refresh changed, which the questions now run with)."""
        if self._deferred is None:
            callback(self._report, [])
        else:
            self._deferred.callbacks.append(callback)

    def _settle(self) -> bool:
        """End a deferred refresh: True when the answers given so far stand; False when
        the folder had changed and the index was refreshed now (ask again)."""
        deferred, self._deferred = self._deferred, None
        if deferred is None:
            return True
        holds = self.index.settle()
        if not holds:
            self.index, self._report = refreshed(
                self.root, self.index, [], fresh="full", rebuild=False, progress=deferred.progress,
                workers=deferred.workers, trust_watcher=True)
        changed: list[Spelling] = []
        for query in deferred.plain_spellings if not holds else ():
            again = check_spelling(self.index, query)
            if not plain(again):
                deferred.respelled.append((query, again.query))
                changed.append(again)
        self._respelled = deferred.respelled
        for callback in deferred.callbacks:
            callback(self._report, changed)
        return holds

    def _answer(self, question: Callable[[_Q], _T], query: _Q) -> _T:
        """`question(query)`, asked again after the refresh when a deferred one finds
        the index was not current."""
        if self._deferred is None:
            return question(self._respelling(query))
        try:
            answer = question(query)
        except Exception:
            if self._settle():
                raise
            return question(self._respelling(query))
        return answer if self._settle() else question(self._respelling(query))

    def _answer_stream(self, stream_of: Callable[[_Q], Iterator[_T]], query: _Q) -> Iterator[_T]:
        """A stream of `stream_of(query)`, kept once the deferred refresh settles: its
        first item is read first (a sorted query's work is done by then)."""
        if self._deferred is None:
            return stream_of(self._respelling(query))
        stream = stream_of(query)
        try:
            first = next(stream)
        except StopIteration:
            return stream if self._settle() else stream_of(self._respelling(query))
        except Exception:
            if self._settle():
                raise
            return stream_of(self._respelling(query))
        if not self._settle():
            return stream_of(self._respelling(query))
        return prepended(first, stream)

    def _respelling(self, query: _Q) -> _Q:
        for typed, rescued in self._respelled:
            if typed is query:
                return cast("_Q", rescued)
        return query

    def failure(self, error: BaseException) -> StoreError | None:
        """The one-line error for `error` when it says the index is damaged or cannot be
        written (the damaged index is removed, so the next command rebuilds it); else None."""
        kind = self.index.failure_kind(error)
        if kind is None or self.index.in_memory:
            return None
        self.close()
        location = self.index.location
        if kind == "damaged":
            try:
                self.index.remove()
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

    # about the index, for the command line (which never reaches into the index) -----------

    @property
    def location(self) -> str:
        """Where the index lives: its file, or ":memory:"."""
        return self.index.location

    def article_count(self) -> int:
        """How many articles the index holds."""
        articles, _ = self._answer(lambda _: self.index.counts(), None)
        return articles

    def refresh(self, *, fresh: str = "full", progress: ProgressCallback | None = None,
                workers: int | None = None, trust_watcher: bool = True) -> RefreshReport:
        """Refresh the index again (it was refreshed when opened), as `fresh` says."""
        self._settle()
        return self.index.refresh(mode=fresh, progress=progress, workers=workers, trust_watcher=trust_watcher)

    # for `newsarc watch` (see watching.py) ------------------------------------------------

    def folders(self) -> list[str]:
        """The folders of the last full walk, relative to the root (`""` is the root itself)."""
        return self._answer(lambda _: self.index.folders(), None)

    def beat(self, heartbeat: Heartbeat) -> None:
        self.index.beat(heartbeat)

    def end_watch(self, pid: int) -> None:
        self.index.end_watch(pid)

    # questions -------------------------------------------------------------------------

    def search(self, query: Query, *, limit: int | None = None, offset: int = 0) -> Page:
        """One page of the articles matching `query`, in its sort order, with snippets for text."""
        return self._answer(lambda q: self.index.search(q, limit, offset), query)

    def iter_hits(self, query: Query, *, limit: int | None = None, offset: int = 0) -> Iterator[Hit]:
        """Every match as a hit (snippet spans, score in a relevance order), streamed."""
        return self._answer_stream(lambda q: self.index.iter_hits(q, limit, offset), query)

    def iter_articles(self, query: Query, *, limit: int | None = None, offset: int = 0) -> Iterator[Article]:
        """Every matching article in sort order, streamed (memory stays flat)."""
        return self._answer_stream(lambda q: self.index.iter_articles(q, limit, offset), query)

    def iter_json_records(self, query: Query, *, limit: int | None = None, offset: int = 0) -> Iterator[str]:
        """Every matching article's lossless JSON text, streamed without rebuilding articles."""
        return self._answer_stream(lambda q: self.index.iter_record_json(q, limit, offset), query)

    def iter_paths(self, query: Query, *, limit: int | None = None,
                   offset: int = 0) -> Iterator[tuple[str, int | None]]:
        """(path, index within the file) of every matching article, in sort order."""
        return self._answer_stream(lambda q: self.index.iter_paths(q, limit, offset), query)

    def count(self, query: Query) -> int:
        return self._answer(lambda q: self.index.count(q), query)

    def check_spelling(self, query: Query) -> Spelling:
        """What to run for `query`: the rescued query when its words are in no article and
        their nearest words of the index find something, else `query`; and a "did you
        mean" when it finds very few and a much more frequent neighbour exists."""
        spelling = check_spelling(self.index, self._respelling(query))
        if self._deferred is not None:
            if plain(spelling):  # nothing told: kept unless the refresh changes it (see _settle)
                self._deferred.plain_spellings.append(query)
            elif not self._settle():
                spelling = check_spelling(self.index, query)
        return spelling

    def get(self, reference: str) -> Article:
        """The article named by an id (or unique id prefix), a path, or a URL."""
        return self._answer(lambda _: self._get(reference), None)

    def _get(self, reference: str) -> Article:
        reference = reference.strip()
        candidates = self._candidates(reference)
        if not candidates:
            raise NotFoundError(f"no article matches {reference!r}", hint="use an id from `newsarc list`")
        if len(candidates) > 1:
            shown = ", ".join(f"{article.id[:12]} ({_file_name(article)})" for article in candidates[:8])
            raise AmbiguousError(f"{reference!r} matches {len(candidates)} articles: {shown}",
                                hint="give more characters of the id, or PATH#N for a file's Nth record")
        return candidates[0]

    def related(self, article: Article) -> RelatedView:
        """The article's related items resolved to archive ids, and the articles linking to it."""
        return self._answer(lambda _: self._related(article), None)

    def _related(self, article: Article) -> RelatedView:
        items = []
        for position, item in enumerate(article.related):
            canonical = canonical_url(item.url)
            found = self.index.article_id_for_url(canonical) if canonical else None
            items.append(ResolvedRelated(position, item, found))
        own_links = (article.web_url, article.original_url, article.amp_web_url, article.cdn_amp_web_url)
        own_urls = [url for url in {canonical_url(link) for link in own_links} if url]
        return RelatedView(article, items, self.index.linked_from(own_urls, article.id))

    def stats(self, query: Query, by: str = "provider", *, top: int | None = None) -> Stats:
        """Article counts per provider, domain, topic, month, year or type, plus a monthly timeline."""
        if by not in STATS_DIMENSIONS:
            raise ArchiveError(f"cannot count by {by!r}", hint="use one of " + ", ".join(STATS_DIMENSIONS))
        found = self._answer(lambda q: self.index.stats(q, by, top), query)
        counts = with_empty_months(found.counts)[:top] if by == "month" else found.counts
        return replace(found, counts=counts, timeline=with_empty_months(found.timeline))

    def duplicates(self, query: Query) -> list[DuplicateGroup]:
        """Groups of articles that are the same story: same canonical URL, or same provider and title."""
        return self._answer(lambda q: self.index.duplicates(q), query)

    def problems(self) -> list[Problem]:
        return self._answer(lambda _: self.index.problems(), None)

    def skipped_files(self) -> list[tuple[str, str]]:
        """(path, reason) of each file of the archive that is not an article, by path."""
        return self._answer(lambda _: self.index.skipped_files(), None)

    def field_examples(self, field_name: str, limit: int = 5) -> list[str]:
        """The most common values of a field in this archive (for `fields` and completion)."""
        return self._answer(lambda _: self.index.field_examples(field_name, limit), None)

    # helpers ---------------------------------------------------------------------------

    def _candidates(self, reference: str) -> list[Article]:
        """The articles of the first reading of `reference` that names any: an id prefix,
        a path, a URL."""
        lowered = reference.lower()
        if len(lowered) >= 4 and all(c in "0123456789abcdef" for c in lowered):
            found = self.index.articles_with_id_prefix(lowered)
            if found:
                return found
        relative = self._relative_path(reference)
        if relative is not None:
            found = self.index.articles_at_path(relative)
            if found:
                return found
        numbered = _NUMBERED_RECORD.fullmatch(reference)
        relative = self._relative_path(numbered[1]) if numbered else None
        if numbered and relative is not None:  # `page.json#2`, as `export --format paths` writes it
            index = record_index(int(numbered[2]))
            return [article for article in self.index.articles_at_path(relative) if article.index == index]
        canonical = canonical_url(reference) if "/" in reference or "." in reference else None
        return self.index.articles_with_url(canonical) if canonical else []

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


_NUMBERED_RECORD = re.compile(r"(.+)#([0-9]{1,9})")


def _file_name(article: Article) -> str:
    return article.path if article.index is None else f"{article.path}#{record_number(article.index)}"


def load_archive(root: str | Path) -> ParseResult:
    """Parse every article file below `root` without an index, collecting problems."""
    from .parsing import ParseResult, parse_file, walk_archive

    root = Path(root)
    if not root.is_dir():
        raise ArchiveError(f"no archive folder at {root}", hint="pass --archive PATH")
    result = ParseResult()
    for article_file in walk_archive(root, result.problems):
        parsed = parse_file(article_file.file_path, article_file.path)
        result.articles.extend(parsed.articles)
        result.problems.extend(parsed.problems)
    return result
