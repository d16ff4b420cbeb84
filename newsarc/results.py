"""What the archive answers: pages of hits, related views, counts, duplicate groups and
refresh reports. Plain slotted records (see `slotted`) with no I/O, so render and the exporters can take
them without importing the archive or an index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from .slotted import FrozenRecord, Record

if TYPE_CHECKING:
    from .model import Article, RelatedItem

Span = tuple[str, bool]
"""A piece of text and whether it matched the query (to be highlighted)."""

ProgressCallback = Callable[[int, int], None]
"""Called as progress(done, total) while files are parsed."""


class Score(FrozenRecord):
    """Why a hit stands where it does in a relevance order: `value` is what the order
    sorts by (highest first), the rest its parts.

    value = exact + 0.998 * text + 0.002 * recency for `sort:relevance`, exact + text for
    `sort:text`, where `exact` is 1 when the words match as written (not only through
    their stems), `text` the BM25 score over the best one's of its tier among the
    candidates (0..1), `bm25` the BM25 over the stems (lower is better),
    and `recency` 0.5 ** (age / half-life), age counted from the newest candidate.
    Articles past the reranked candidates carry only `bm25`, in BM25 order.
    """

    __slots__ = ("value", "bm25", "text", "exact", "recency")
    value: float
    bm25: float
    text: float | None
    exact: bool | None
    recency: float | None

    def __init__(self, value: float, bm25: float, text: float | None = None, exact: bool | None = None,
                 recency: float | None = None) -> None:
        self._init(value, bm25, text, exact, recency)

    def parts(self) -> dict[str, float | bool | None]:
        return {"bm25": self.bm25, "text": self.text, "exact": self.exact, "recency": self.recency}


class Hit(Record):
    """One match: its article, the title and snippet as spans, its score in a relevance order."""

    __slots__ = ("article", "title_spans", "snippet_spans", "score")

    def __init__(self, article: Article, title_spans: list[Span] | None = None,
                 snippet_spans: list[Span] | None = None, score: Score | None = None) -> None:
        self.article = article
        self.title_spans = title_spans
        self.snippet_spans = snippet_spans
        self.score = score


class Page(Record):
    """One page of matches (from `offset`, at most `limit`), and how many match in all."""

    __slots__ = ("hits", "total", "offset", "limit")

    def __init__(self, hits: list[Hit], total: int, offset: int, limit: int | None) -> None:
        self.hits = hits
        self.total = total
        self.offset = offset
        self.limit = limit


class ResolvedRelated(Record):
    """A related item of an article, and the id of the archive's article it links to (if any)."""

    __slots__ = ("position", "item", "article_id")

    def __init__(self, position: int, item: RelatedItem, article_id: str | None) -> None:
        self.position = position
        self.item = item
        self.article_id = article_id


class RelatedView(Record):
    """An article, its related items resolved to the archive, and the articles listing it."""

    __slots__ = ("article", "items", "linked_from")

    def __init__(self, article: Article, items: list[ResolvedRelated], linked_from: list[Article]) -> None:
        self.article = article
        self.items = items
        self.linked_from = linked_from


class Stats(Record):
    """Article counts per value of `dimension`, and the monthly timeline."""

    __slots__ = ("dimension", "total", "counts", "timeline")

    def __init__(self, dimension: str, total: int, counts: list[tuple[str, int]],
                 timeline: list[tuple[str, int]] | None = None) -> None:
        self.dimension = dimension
        self.total = total
        self.counts = counts
        self.timeline: list[tuple[str, int]] = [] if timeline is None else timeline


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def with_empty_months(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Monthly counts with every month between the first and the last, a month without
    articles as 0, so a gap reads as a gap and not as a continuous series. Rows that are
    not months (`(none)`) keep their place after the months."""
    months: dict[int, int] = {}
    others: list[tuple[str, int]] = []
    for label, count in counts:
        match = _MONTH.fullmatch(label)
        if match:
            months[int(match.group(1)) * 12 + int(match.group(2)) - 1] = count
        else:
            others.append((label, count))
    if not months:
        return list(counts)
    filled = [(f"{number // 12:04d}-{number % 12 + 1:02d}", months.get(number, 0))
              for number in range(min(months), max(months) + 1)]
    return filled + others


class DuplicateGroup(Record):
    """Articles that are the same story, and why they are taken for one."""

    __slots__ = ("reason", "articles")

    def __init__(self, reason: str, articles: list[Article]) -> None:
        self.reason = reason
        self.articles = articles


class Heartbeat(FrozenRecord):
    """What a running `newsarc watch` says of itself in the index."""

    __slots__ = ("pid", "host", "mode", "beat", "overflow", "drained")
    pid: int
    host: str
    mode: str  # "inotify" (vouches for the index) or "poll" (never does)
    beat: float  # time.time() of its last beat
    overflow: bool  # its event queue overflowed: it is walking, the index may be stale
    drained: float  # when it last began reading every queued event (then applied them)

    def __init__(self, pid: int, host: str, mode: str, beat: float, overflow: bool = False,
                 drained: float = 0.0) -> None:
        self._init(pid, host, mode, beat, overflow, drained)


class RefreshReport(Record):
    """What a refresh found and did."""

    __slots__ = ("added", "changed", "removed", "unchanged", "articles", "problems", "skipped", "seconds",
                 "rebuilt", "notices", "watched")

    def __init__(self, added: int = 0, changed: int = 0, removed: int = 0, unchanged: int = 0,
                 articles: int = 0, problems: int = 0, skipped: int = 0, seconds: float = 0.0,
                 rebuilt: bool = False, notices: list[str] | None = None, watched: bool = False) -> None:
        self.added = added
        self.changed = changed
        self.removed = removed
        self.unchanged = unchanged
        self.articles = articles
        self.problems = problems
        # Files that are not articles (scripts, READMEs, pages without front matter).
        self.skipped = skipped
        self.seconds = seconds
        self.rebuilt = rebuilt
        self.notices: list[str] = [] if notices is None else notices
        # The walk was skipped: a running `newsarc watch` vouched for the index.
        self.watched = watched

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)
