"""The slotted records that replaced the dataclasses (issue 14) keep what the dataclasses
gave: equality on the compared fields of one class, frozen and hashable query nodes, a
fresh list for each record, `replace` re-checking what `__init__` checks, and the repr."""

from __future__ import annotations

import copy
import pickle
from datetime import datetime, timezone

import pytest

from newsarc.errors import ExportError
from newsarc.exporters import ExportOptions
from newsarc.model import Article, Problem, RelatedItem, Story
from newsarc.query import RangeFilter, parse_query
from newsarc.results import RefreshReport
from newsarc.slotted import FrozenInstanceError, as_dict, replace


def test_an_article_is_its_content_wherever_it_was_read() -> None:
    here = Article(title="SenseTime IPO", body="text", id="7e1e", path="a.md", index=None)
    there = Article(title="SenseTime IPO", body="text", id="0b2c", path="b/page.json", index=2)
    assert here == there
    assert here != replace(there, body="other text")
    # The class is compared: a related item is not the article, nor a bare story.
    assert RelatedItem(title="SenseTime IPO") != Story(title="SenseTime IPO")
    assert RelatedItem(title="SenseTime IPO") == RelatedItem(title="SenseTime IPO")
    with pytest.raises(TypeError):
        hash(here)  # mutable, as the dataclass was


def test_each_record_gets_its_own_lists() -> None:
    first, second = Article(), Article()
    first.topics.append("AI")
    first.related.append(RelatedItem(title="x"))
    assert second.topics == [] and second.related == [] and first.extra is not second.extra
    assert RefreshReport().notices is not RefreshReport().notices


def test_query_nodes_are_frozen_and_hashed_on_what_they_compare() -> None:
    now = datetime(2021, 12, 20, tzinfo=timezone.utc)
    written = parse_query("date:7d", now).root
    assert isinstance(written, RangeFilter) and written.expression == "7d"
    resolved = replace(written, expression=None)  # the same range, not spelled the same
    assert resolved == written and hash(resolved) == hash(written)
    with pytest.raises(FrozenInstanceError):
        written.low = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del written.field  # type: ignore[misc]
    assert copy.deepcopy(written) == written
    assert pickle.loads(pickle.dumps(written)).expression == "7d"


def test_replace_checks_what_the_constructor_checks() -> None:
    with pytest.raises(ExportError, match="cannot group by 'week'"):
        replace(ExportOptions(), group_by="week")  # type: ignore[arg-type]
    assert replace(ExportOptions(), null=True).null


def test_records_read_as_the_dataclasses_did() -> None:
    problem = Problem("2021/a.md", 3, "front matter is not closed")
    assert repr(problem) == "Problem(path='2021/a.md', line=3, message='front matter is not closed')"
    assert str(problem) == "2021/a.md:3: front matter is not closed"
    assert as_dict(RefreshReport(added=2, notices=["rebuilt"])) == {
        "added": 2, "changed": 0, "removed": 0, "unchanged": 0, "articles": 0, "problems": 0, "skipped": 0,
        "seconds": 0.0, "rebuilt": False, "notices": ["rebuilt"], "watched": False,
    }
