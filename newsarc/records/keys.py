"""The record's keys: which Story field each source key fills, and newsarc's own metadata keys."""

from __future__ import annotations

# Written by newsarc's own JSON exports beside the record's fields; a record that
# carries it has its `id`/`path`/`index` keys read as newsarc's metadata.
SCHEMA = "newsarc.article/1"
METADATA_KEYS = ("schema", "id", "path", "index")
# Where `json_record` puts unknown keys whose names it needs itself (an `id` or `body`
# key of the source record), so that reading the record back restores them.
SHADOWED_KEY = "newsarc.extra"
RESERVED_KEYS = (*METADATA_KEYS, "body", SHADOWED_KEY)

TEXT_KEYS = {  # source key -> Story field, for plain text values
    "title": "title",
    "excerpt": "excerpt",
    "originalUrl": "original_url",
    "webUrl": "web_url",
    "ampWebUrl": "amp_web_url",
    "cdnAmpWebUrl": "cdn_amp_web_url",
    "sourceUrl": "source_url",
    "type": "type",
    "category": "category",
    "locale": "locale",
    "featuredContent": "featured_content",
}
DATE_KEYS = {"publishedDateTime": "published", "updatedDateTime": "updated"}
INT_KEYS = {"quality": "quality", "heat": "heat"}
LIST_KEYS = {"categories": "categories", "topics": "topics", "tags": "tags"}
