"""The Markdown digest: a heading per group, each article a list item with its
link, provider, date, topics, excerpt and related stories.

Article text is untrusted: it is folded onto one line, every character
Markdown or HTML gives meaning to is escaped, and only http(s) URLs are linked,
so a title can neither inject a link, an image or HTML nor break the layout.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from ..model import Article, Story
from ..textsafe import safe_line, safe_text
from . import ExportOptions
from .digest import (
    CountingRender,
    digest_title,
    footer,
    generated_line,
    grouped,
    link_target,
    story_meta,
    story_title,
    summary_blocks,
)

if TYPE_CHECKING:
    from ..htmltext import Block, Inline

# `<` and `>` could open HTML; `&` only where it would start a character reference
# (`&amp;`, `&#8217;`), so `PG&E` stays as written and the text holds no entity it did not.
_HTML_SIGNIFICANT = re.compile(r"[<>]|&(?=#?[A-Za-z0-9]+;)")
_HTML_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MARKDOWN_SIGNIFICANT = re.compile(r"([\\`*_\[\]()#!|~])")
# A paragraph starting like a list item or a thematic break would change the
# structure; escaping its first marker keeps it a paragraph.
_BLOCK_START = re.compile(r"^(?:([-+])|(\d+)([.)]))")


def escape(text: str) -> str:
    """Plain, single-line text made literal in Markdown (and in the HTML it may hold)."""
    text = _HTML_SIGNIFICANT.sub(lambda match: _HTML_ESCAPES[match[0]], text)
    text = _MARKDOWN_SIGNIFICANT.sub(r"\\\1", text)
    return _BLOCK_START.sub(lambda match: f"\\{match[1]}" if match[1] else f"{match[2]}\\{match[3]}", text)


def _link(story: Story) -> str:
    title = escape(story_title(story))
    target = link_target(story.url)
    return f"[{title}]({target})" if target else title


def _related_line(item: Story) -> str:
    return "  - " + " · ".join([_link(item), *map(escape, story_meta(item, with_topics=False))])


def render_article(article: Article) -> str:
    """One loose list item: a paragraph per part, related stories as a sub-list."""
    paragraphs = [f"- **{_link(article)}**"]
    meta = story_meta(article, with_topics=True)
    if meta:
        paragraphs.append("  " + escape(" · ".join(meta)))
    summary = markdown_blocks(summary_blocks(article), indent="  ")
    if summary:
        paragraphs.append(summary)
    if article.related:
        paragraphs.append("  Related:")
        paragraphs.append("\n".join(_related_line(item) for item in article.related))
    return "\n\n".join(paragraphs) + "\n\n"


def markdown_blocks(blocks: list[Block], *, indent: str = "") -> str:
    """Blocks of text (an HTML body read by `htmltext`) as Markdown, every line after
    `indent`: headings, paragraphs, list items, quotations and code, with every
    character of the text made literal and only http(s) links kept."""
    parts: list[str] = []
    for position, block in enumerate(blocks):
        if position:
            parts.append("\n" if block.same_list(blocks[position - 1]) else "\n\n")
        parts.append(_markdown_block(block, indent))
    return "".join(parts)


def _markdown_block(block: Block, indent: str) -> str:
    if block.kind == "pre":
        code = safe_text(block.text)
        fence = "`" * max(3, *(len(run) + 1 for run in re.findall(r"`+", code)))
        return "\n".join(indent + line for line in [fence, *code.split("\n"), fence])
    if block.kind == "item":
        lead = "  " * (block.level - 1) + ("1. " if block.marker[:1].isdigit() else "- ")
    else:
        lead = {"heading": "#" * block.level + " ", "quote": "> "}.get(block.kind, "")
    follow = " " * len(lead) if block.kind == "item" else lead if block.kind == "quote" else ""
    lines = _markdown_lines(block.runs)
    if block.kind == "heading":  # a heading is one line
        lines = [" ".join(lines)]
    first, *rest = lines
    return "\\\n".join([indent + lead + first, *(indent + follow + line for line in rest)])


def _markdown_lines(runs: tuple[Inline, ...]) -> list[str]:
    """The runs of one block as escaped Markdown lines (split at `<br>`)."""
    lines: list[list[str]] = [[]]
    for run in runs:
        if run.text == "\n":
            lines.append([])
            continue
        text = escape(safe_line(run.text, strip=False))
        target = link_target(run.href)
        lines[-1].append(f"[{text.strip()}]({target})" if target and text.strip() else text)
    return ["".join(line).strip() for line in lines if "".join(line).strip()] or [""]


def write_markdown(articles: Iterable[Article], stream: TextIO, options: ExportOptions) -> int:
    """The digest, grouped by `options.group_by`; see `digest` for what each grouping buffers."""
    stream.write(f"# {escape(digest_title(options))}\n\n")
    generated = generated_line(options)
    if generated:
        stream.write(f"{escape(generated)}\n\n")
    counter = CountingRender(render_article)
    for group in grouped(articles, options.group_by, counter, oldest_first=options.oldest_first):
        stream.write(f"## {escape(group.label)}\n\n")
        stream.writelines(group.entries)
    stream.write(escape(footer(counter.count)) + "\n")
    return counter.count
