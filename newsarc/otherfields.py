"""The keys of a record newsarc has no field for, as labelled lines for people.

Profiles, communities, samples, videos and forums carry `bio`, `location`,
`members`, `twitter: {username, url, followers}`, `actions: [{title, url}]`,
`price`, `length` and the like. They stay in `Article.extra` as the file had them
(the lossless forms write them back); `show` lists each as a labelled line. The
text is still untrusted: each line is folded and cleaned by `textsafe`, and
shortened, so a hostile or huge value can neither break nor flood the view.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from .entities import decode_entities
from .textsafe import safe_line

if TYPE_CHECKING:
    from .model import Article

# Keys shown elsewhere, or not as a line: `content` is the body of JSON API records.
_NOT_FIELDS = ("content",)
# Labels `show` gives its own lines: a record's key of the same name (a JSON API's
# `id`) is labelled as the file's, so it cannot pass for newsarc's.
_OWN_LABELS = frozenset({"id", "provider", "published", "updated", "type", "topics", "tags", "image",
                         "featured", "secured", "file"})
LABEL_WIDTH = 24
TEXT_LIMIT = 600
_DEPTH = 3
_ITEMS = 50
_EMPTY: tuple[Any, ...] = (None, "", [], {})


def other_fields(article: Article) -> list[tuple[str, str, bool]]:
    """(label, one line of text, whether the text is an http(s) link) for each of the
    record's other keys, in the file's order; a list of mappings (a sample's `actions`)
    gives one line per mapping."""
    rows: list[tuple[str, str, bool]] = []
    for key, value in article.extra.items():
        if key in _NOT_FIELDS or (key == "name" and article.title_from_name) or _empty(value):
            continue
        label = _shortened(safe_line(str(key)), LABEL_WIDTH)
        if label.lower() in _OWN_LABELS:
            label += " (in file)"
        one_per_item = isinstance(value, list) and any(isinstance(item, dict) for item in value)
        items = value if one_per_item else [value]
        rows += [(label, *_line(item)) for item in items[:_ITEMS] if not _empty(item)]
    return rows


def _empty(value: Any) -> bool:
    return isinstance(value, (str, list, dict, type(None))) and value in _EMPTY


def _line(value: Any) -> tuple[str, bool]:
    text = safe_line(_text(value, _DEPTH))
    is_link = isinstance(value, str) and text.startswith(("http://", "https://")) and " " not in text
    return (text if is_link else _shortened(text, TEXT_LIMIT)), is_link


def _text(value: Any, depth: int) -> str:
    """A value of any shape as one line: `username: clamanna · followers: 4227`."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):  # dates and datetimes, as YAML gives them
        return value.isoformat()
    if isinstance(value, dict):
        if depth <= 0:
            return "…"
        return " · ".join(f"{key}: {_text(item, depth - 1)}" for key, item in list(value.items())[:_ITEMS]
                          if not _empty(item))
    if isinstance(value, list):
        if depth <= 0:
            return "…"
        return ", ".join(_text(item, depth - 1) for item in value[:_ITEMS])
    return decode_entities(str(value))


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
