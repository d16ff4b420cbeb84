"""What the archive answers: pages of hits, related views, counts, duplicate groups and
refresh reports. Plain dataclasses with no I/O, so render and the exporters can take
them without importing the archive or an index.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Article, RelatedItem

Span = tuple[str, bool]
"""A piece of text and whether it matched the query (to be highlighted)."""

ProgressCallback = Callable[[int, int], None]
"""Called as progress(done, total) while files are parsed."""


@dataclass(frozen=True)
class Score:
    """Why a hit stands where it does in a relevance order: `value` is what the order
    sorts by (highest first), the rest its parts.

    value = exact + 0.998 * text + 0.002 * recency for `sort:relevance`, exact + text for
    `sort:text`, where `exact` is 1 when the words match as written (not only through
    their stems), `text` the BM25 score over the best one's of its tier among the
    candidates (0..1), `bm25` the BM25 over the stems (lower is better),
    and `recency` 0.5 ** (age / half-life), age counted from the newest candidate.
    Articles past the reranked candidates carry only `bm25`, in BM25 order.
    """

    value: float
    bm25: float
    text: float | None = None
    exact: bool | None = None
    recency: float | None = None

    def parts(self) -> dict[str, float | bool | None]:
        return {"bm25": self.bm25, "text": self.text, "exact": self.exact, "recency": self.recency}


@dataclass
class Hit:
    """One match: its article, the title and snippet as spans, its score in a relevance order."""

    article: Article
    title_spans: list[Span] | None = None
    snippet_spans: list[Span] | None = None
    score: Score | None = None


@dataclass
class Page:
    """One page of matches (from `offset`, at most `limit`), and how many match in all."""

    hits: list[Hit]
    total: int
    offset: int
    limit: int | None


@dataclass
class ResolvedRelated:
    """A related item of an article, and the id of the archive's article it links to (if any)."""

    position: int
    item: RelatedItem
    article_id: str | None


@dataclass
class RelatedView:
    """An article, its related items resolved to the archive, and the articles listing it."""

    article: Article
    items: list[ResolvedRelated]
    linked_from: list[Article]


@dataclass
class Stats:
    """Article counts per value of `dimension`, and the monthly timeline."""

    dimension: str
    total: int
    counts: list[tuple[str, int]]
    timeline: list[tuple[str, int]] = field(default_factory=list)


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


@dataclass
class DuplicateGroup:
    """Articles that are the same story, and why they are taken for one."""

    reason: str
    articles: list[Article]


@dataclass(frozen=True)
class Heartbeat:
    """What a running `newsarc watch` says of itself in the index."""

    pid: int
    host: str
    mode: str  # "inotify" (vouches for the index) or "poll" (never does)
    beat: float  # time.time() of its last beat
    overflow: bool = False  # its event queue overflowed: it is walking, the index may be stale
    drained: float = 0.0  # when it last began reading every queued event (then applied them)


@dataclass
class RefreshReport:
    """What a refresh found and did."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    articles: int = 0
    problems: int = 0
    skipped: int = 0  # files that are not articles (scripts, READMEs, pages without front matter)
    seconds: float = 0.0
    rebuilt: bool = False
    notices: list[str] = field(default_factory=list)
    watched: bool = False  # the walk was skipped: a running `newsarc watch` vouched for the index

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)
