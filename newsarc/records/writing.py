"""An Article -> its record, and the JSON interchange form newsarc's exports write."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from operator import attrgetter
from typing import TYPE_CHECKING

from ..model import RelatedItem, record_number
from .keys import DATE_KEYS, INT_KEYS, LIST_KEYS, RESERVED_KEYS, SCHEMA, SHADOWED_KEY, TEXT_KEYS

if TYPE_CHECKING:
    from typing import Any

    from ..model import Article, Image, Provider, Story

# The order keys are written in, matching the files aggregators publish.
_KEY_ORDER = (
    "category", "categories", "title", "excerpt", "publishedDateTime", "updatedDateTime",
    "originalUrl", "webUrl", "ampWebUrl", "cdnAmpWebUrl", "sourceUrl", "type", "quality",
    "heat", "published", "locale", "featuredContent", "provider", "topics", "tags",
    "images", "related", "secured",
)
# Related items list their provider before their quality, unlike articles.
_RELATED_KEY_ORDER = (
    "title", "excerpt", "publishedDateTime", "updatedDateTime", "originalUrl", "webUrl", "ampWebUrl",
    "cdnAmpWebUrl", "sourceUrl", "type", "category", "categories", "provider", "quality", "heat",
    "published", "locale", "featuredContent", "topics", "tags", "images",
)  # fmt: skip


def record_from_article(article: Article) -> dict[str, Any]:
    """The article as a record with the source keys, original text restored.

    Dates stay `datetime` objects; each writer decides how to spell them.
    """
    record = _story_record(article)
    if article.related:
        record["related"] = [_story_record(item) for item in article.related]
    if article.secured is not None:
        record["secured"] = article.secured
    ordered = {key: record[key] for key in _KEY_ORDER if key in record}
    ordered.update(article.extra)
    return ordered


# Every record written asks for these fields: one attrgetter reads them all at once.
_SCALAR_FIELDS = (*TEXT_KEYS.items(), *DATE_KEYS.items(), *INT_KEYS.items())
_SCALAR_VALUES = attrgetter(*(name for _, name in _SCALAR_FIELDS))
_LIST_VALUES = attrgetter(*LIST_KEYS.values())


def _story_record(story: Story) -> dict[str, Any]:
    record: dict[str, Any] = {}
    original = story.original_text
    # Without a title of its own, the one shown is the record's `name`, kept in `extra`.
    no_title = story.title_from_name and "title" not in original
    for (key, name), value in zip(_SCALAR_FIELDS, _SCALAR_VALUES(story), strict=True):
        if original and name in original:
            value = original[name]
        if value is not None and not (no_title and name == "title"):
            record[key] = value
    for key, values in zip(LIST_KEYS, _LIST_VALUES(story), strict=True):
        if values:
            record[key] = list(values)
    if story.is_published is not None:
        record["published"] = story.is_published
    if story.provider is not None:
        record["provider"] = _provider_record(story.provider)
    if story.images:
        record["images"] = [_image_record(image) for image in story.images]
    if isinstance(story, RelatedItem):
        ordered = {key: record[key] for key in _RELATED_KEY_ORDER if key in record}
        ordered.update(story.extra)
        return ordered
    return record


def _provider_record(provider: Provider) -> dict[str, Any]:
    record = _without_none({"name": provider.name, "domain": provider.domain})
    if provider.images:
        record["images"] = [_image_record(image) for image in provider.images]
    record.update(provider.extra)
    return record


def _image_record(image: Image) -> dict[str, Any]:
    record = _without_none(
        {
            "url": image.url,
            "width": image.width,
            "height": image.height,
            "title": image.title,
            "attribution": image.attribution,
            "isCached": image.is_cached,
        }
    )
    record.update(image.extra)
    return record


def _without_none(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if value is not None}


def original_body(article: Article) -> str:
    return article.original_text.get("body", article.body)


def json_record(article: Article) -> dict[str, Any]:
    """The lossless interchange form: the record, JSON-safe, with newsarc's metadata.

    Dates become ISO 8601 UTC strings (`2021-09-28T23:01:00Z`); `schema`, `id`,
    `path` and `index` say where the article came from and are ignored on reading;
    `index` is the record's number in its file, counted from 1 (see `model.record_number`).
    """
    return _json_safe(_interchange_record(article))


def json_text(article: Article) -> str:
    """`json.dumps(json_record(article))`, without walking the record first (indexing's hot path)."""
    try:
        return _JSON_ENCODER.encode(_interchange_record(article))
    except (TypeError, ValueError):  # keys json cannot spell, from odd `extra` values
        return json.dumps(json_record(article), ensure_ascii=False)


def _interchange_record(article: Article) -> dict[str, Any]:
    record: dict[str, Any] = {"schema": SCHEMA, "id": article.id, "path": article.path}
    if article.index is not None:
        record["index"] = record_number(article.index)
    fields = record_from_article(article)
    shadowed = {key: fields.pop(key) for key in RESERVED_KEYS if key in article.extra}
    record.update(fields)
    body = original_body(article)
    if body:
        record["body"] = body
    if shadowed:
        record[SHADOWED_KEY] = shadowed
    return record


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


# `json.dumps(record, ensure_ascii=False, default=_json_default)`, the same text, with the
# encoder made once. No cycle check: a record read from a file cannot hold one (aliases are
# refused), and one built in code ends in RecursionError, as it did before in `json_record`.
_JSON_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default, check_circular=False)


def iso_utc(moment: datetime) -> str:
    """`2021-09-28T23:01:00Z`: the spelling the source files use."""
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(item) for item in value]
    return value
