"""Shell completion of a QUERY: field names, and values from the index as it is."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import NewsarcError

if TYPE_CHECKING:
    import click
    from click.shell_completion import CompletionItem


def complete_query(click_context: click.Context, param: click.Parameter,
                   incomplete: str) -> list[CompletionItem]:
    """Complete field names, and provider/topic/type values from the index (without refreshing)."""
    from click.shell_completion import CompletionItem

    from ..query import fields_help

    if ":" not in incomplete:
        return [CompletionItem(f"{entry.name}:", help=entry.description) for entry in fields_help()
                if entry.name.startswith(incomplete)]
    name, _, prefix = incomplete.partition(":")
    try:
        from ..archive import Archive

        params = click_context.parent.params if click_context.parent else {}
        root = params.get("archive_path") or os.environ.get("NEWSARC_ARCHIVE") or "."
        index = params.get("index_path") or os.environ.get("NEWSARC_INDEX") or None
        # A Tab must answer at once: the index as it is (built only when there is none yet).
        with Archive.open(root, index=index, fresh="none") as archive:
            values = archive.field_examples(name, limit=200)
    except NewsarcError:
        return []
    return [CompletionItem(f"{name}:{_quote(value)}") for value in values
            if value.lower().startswith(prefix.lower())]


def _quote(value: str) -> str:
    return f'"{value}"' if any(c.isspace() for c in value) else value
