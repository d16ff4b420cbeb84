"""HTML article bodies -> blocks of plain text: what a reader, a search index and a
Markdown writer need, and nothing a browser would run.

Newsletters (a whole page: `<head>`, CSS, layout tables, tracking pixels), WordPress
bodies (`<!-- wp:... -->` comments) and JSON `content` fields arrive as HTML. They are
read with the standard library's `html.parser`, which never raises on malformed
markup and decodes entities; what comes out is a list of `Block`s holding plain
strings and link targets only. Scripts, styles, the head, comments, hidden elements
and images without alt text leave nothing; an image leaves its alt text. Nothing here
escapes for any output: each writer does (textsafe for the terminal, Markdown escaping
for the digest), so hostile markup ends up as inert characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import TYPE_CHECKING

from .entities import decode_entities

if TYPE_CHECKING:
    from .model import Article

# A body is HTML when it opens with a tag, a comment or a doctype, or holds a whole
# page or a WordPress block anywhere. A Markdown body with an inline `<br>` or `<sup>`
# is not: converting it would lose its Markdown.
_OPENS_LIKE_HTML = re.compile(r"\s*<(?:!--|!doctype\b|/?[a-z][a-z0-9]*(?:[\s/>]|$))", re.IGNORECASE)
_PAGE_MARKERS = re.compile(r"<(?:html|body|table|!doctype|!-- wp:)\b", re.IGNORECASE)

# Elements whose content is never text for a reader.
_HIDDEN_ELEMENTS = frozenset({
    "head", "script", "style", "template", "noscript", "svg", "math", "iframe", "object", "embed",
    "canvas", "video", "audio", "select", "button", "textarea", "title", "xml",
})  # fmt: skip
_VOID_ELEMENTS = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
})  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# Elements that end the running paragraph (and start the next).
_BLOCK_ELEMENTS = frozenset({
    "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "center", "table",
    "thead", "tbody", "tfoot", "tr", "caption", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption",
    "address", "form", "fieldset", "details", "summary", "hr", "blockquote", "pre", "li",
    *_HEADINGS,
})  # fmt: skip
_CELL_ELEMENTS = frozenset({"td", "th"})
_DISPLAY_NONE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|mso-hide\s*:\s*all", re.IGNORECASE)
_WHITESPACE = re.compile(r"[ \t\n\r\f\v\xa0\u2007\u202f]+")
_SHOWN_SCHEMES = ("http://", "https://", "mailto:")
MAX_HTML_CHARS = 1_000_000
"""HTML past this is not converted. Real bodies are far smaller (mail clients clip a
message at about 100 KB); html.parser reads about 1 MB of dense markup a second, so a
hostile 20 MB file of nothing but tags cannot hold up an index refresh for long."""
CUT_NOTE = "[the rest of this HTML body is not shown: it is over 1,000,000 characters]"


@dataclass(frozen=True)
class Inline:
    """A run of text, linked when `href` is set (http, https or mailto only)."""

    text: str
    href: str | None = None
    # The link goes where the link shown before it went ("Read more" after the headline):
    # a reader is not shown the same URL twice in a row.
    repeated: bool = False

    @property
    def shown_url(self) -> str | None:
        """The URL a plain-text reader is shown after the text, if any."""
        if not self.href or self.repeated or self.href.strip() == self.text.strip():
            return None
        return self.href


@dataclass(frozen=True)
class Block:
    """One paragraph, heading, list item, quotation or preformatted text.

    `level` is the heading level (1-6) or, for a list item, its depth (1 for the
    outer list); `marker` is a list item's `•` or `3.`. A run of text "\\n" is a line
    break (`<br>`)."""

    kind: str  # "paragraph" | "heading" | "item" | "quote" | "pre"
    runs: tuple[Inline, ...]
    level: int = 0
    marker: str = ""
    list_number: int = 0  # which outermost list of the text an item is in (1, 2, ...)

    def same_list(self, other: Block) -> bool:
        return self.kind == other.kind == "item" and self.list_number == other.list_number

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)


def looks_like_html(text: str | None) -> bool:
    """True when a body is HTML rather than plain text or Markdown (cheap: no parse)."""
    if not text or "<" not in text:
        return False
    return bool(_OPENS_LIKE_HTML.match(text) or _PAGE_MARKERS.search(text))


def html_blocks(html: str) -> list[Block]:
    """The readable blocks of an HTML text, in document order, empty ones left out."""
    reader = _Reader()
    reader.feed(html[:MAX_HTML_CHARS])
    reader.close()
    reader.flush()
    if len(html) > MAX_HTML_CHARS:
        reader.blocks.append(Block("paragraph", (Inline(CUT_NOTE),)))
    return reader.blocks


def html_to_text(html: str) -> str:
    """Readable plain text: paragraphs apart, list items marked, links as text (URL)."""
    return blocks_text(html_blocks(html))


def blocks_text(blocks: list[Block]) -> str:
    """Blocks as plain text: a blank line between blocks, none between items of a list."""
    parts: list[str] = []
    for position, block in enumerate(blocks):
        if position:
            together = block.same_list(blocks[position - 1])
            parts.append("\n" if together else "\n\n")
        parts.append(block_text(block))
    return "".join(parts)


def block_text(block: Block) -> str:
    """One block as plain text, as a terminal shows it."""
    parts = []
    for run in block.runs:
        parts.append(run.text)
        if run.shown_url:
            parts.append(f" ({run.shown_url})")
    text = "".join(parts)
    if block.kind == "item":
        indent = "  " * (block.level - 1)
        return indent + f"{block.marker} " + text.replace("\n", "\n" + indent + " " * (len(block.marker) + 1))
    if block.kind == "quote":
        return "    " + text.replace("\n", "\n    ")
    return text


def html_to_plain(html: str) -> str:
    """The words of an HTML text for a search index: one block a line, no URLs."""
    return "\n".join(" ".join(block.text.split()) for block in html_blocks(html))


def body_source(article: Article) -> str:
    """The text of an article's body: the body, else a JSON record's `content` field."""
    if article.body:
        return article.body
    content = article.extra.get("content")
    return content if isinstance(content, str) else ""


def readable_body(article: Article) -> str:
    """The body as a reader sees it: HTML turned into text, anything else as it is."""
    source = body_source(article)
    return html_to_text(source) if looks_like_html(source) else decode_entities(source)


def searchable_text(text: str) -> str:
    """`text` as the index holds it: the words of HTML, anything else with its character
    references decoded (as titles and excerpts are when read)."""
    return html_to_plain(text) if looks_like_html(text) else decode_entities(text)


@dataclass
class _List:
    ordered: bool
    count: int = 0


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._pieces: list[tuple[str, str | None]] = []  # (text, link) of the running block
        self._kind, self._level, self._marker = "paragraph", 0, ""
        self._hidden_tag, self._hidden_depth = "", 0  # the element whose content is not shown
        self._links: list[str | None] = []
        self._last_href: str | None = None
        self._list_number = 0
        self._lists: list[_List] = []
        self._quotes = 0
        self._pre = 0

    # -- the parser's events --

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._hidden_depth:
            self._hidden_depth += tag == self._hidden_tag
            return
        attributes = dict(attrs)
        if tag in _HIDDEN_ELEMENTS or _DISPLAY_NONE.search(attributes.get("style") or "") \
                or "hidden" in attributes:
            if tag not in _VOID_ELEMENTS:
                # Only the hidden element's own name is counted: the end of what is
                # hidden costs the same however deep the markup inside it goes.
                self._hidden_tag, self._hidden_depth = tag, 1
            return
        if tag in _BLOCK_ELEMENTS:
            self.flush()
            self._open_block(tag, attributes)
        elif tag in _CELL_ELEMENTS:
            self._add(" ")
        elif tag == "br":
            self._pieces.append(("\n", None))
        elif tag == "a":
            self._links.append(_shown_href(attributes.get("href")))
        elif tag == "img":  # its alt text, unlinked: the link shows with the text beside it
            self._add((attributes.get("alt") or "").strip(), spaced=True, linked=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_ELEMENTS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._hidden_depth:
            self._hidden_depth -= tag == self._hidden_tag
            return
        if tag in _BLOCK_ELEMENTS:
            self.flush()
            self._close_block(tag)
        elif tag == "a" and self._links:
            self._links.pop()

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._add(data)

    # -- building blocks --

    def _open_block(self, tag: str, attributes: dict[str, str | None]) -> None:
        if tag in ("ul", "ol"):
            self._list_number += not self._lists
            self._lists.append(_List(ordered=tag == "ol"))
        elif tag == "li":
            current = self._lists[-1] if self._lists else _List(ordered=False)
            current.count += 1
            self._kind, self._level = "item", max(1, len(self._lists))
            self._marker = f"{current.count}." if current.ordered else "•"
        elif tag in _HEADINGS:
            self._kind, self._level = "heading", _HEADINGS[tag]
        elif tag == "blockquote":
            self._quotes += 1
        elif tag == "pre":
            self._pre += 1

    def _close_block(self, tag: str) -> None:
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "blockquote":
            self._quotes = max(0, self._quotes - 1)
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)

    def _add(self, text: str, *, spaced: bool = False, linked: bool = True) -> None:
        # Pieces are joined once, at the end of the block: adding to a growing string
        # would make a paragraph of a million tags cost its length squared.
        if text:
            href = self._links[-1] if self._links and linked else None
            self._pieces.append((f" {text} " if spaced else text, href))

    def flush(self) -> None:
        """End the running block; keep it when it holds any text."""
        if self._pre:
            text = "".join(text for text, _ in self._pieces).replace("\xa0", " ").strip("\n")
            runs = [Inline(text)] if text.strip() else []
        else:
            runs = _runs(self._pieces)
        if runs:
            kind = "pre" if self._pre else self._kind
            if kind == "paragraph" and self._quotes:
                kind = "quote"
            for position, run in enumerate(runs):
                if run.href:
                    runs[position] = Inline(run.text, run.href, repeated=run.href == self._last_href)
                    self._last_href = run.href
            self.blocks.append(Block(kind, tuple(runs), self._level, self._marker, self._list_number))
        self._pieces = []
        # A list item's text after a nested list goes on as a plain paragraph of it.
        self._kind, self._level, self._marker = "paragraph", 0, ""


def _runs(pieces: list[tuple[str, str | None]]) -> list[Inline]:
    """Pieces of text as runs, one per link or line: white space folded, none at either
    end of the block or of a line."""
    runs: list[Inline] = []
    start = 0
    for end in range(1, len(pieces) + 1):
        if end < len(pieces) and pieces[end][1] == pieces[start][1] and pieces[end][0] != "\n" \
                and pieces[start][0] != "\n":
            continue
        href = pieces[start][1]
        text = "".join(text for text, _ in pieces[start:end])
        start = end
        if text == "\n":
            if runs and runs[-1].text != "\n":
                runs[-1] = Inline(runs[-1].text.rstrip(" "), runs[-1].href)
                runs.append(Inline("\n"))
            continue
        text = _WHITESPACE.sub(" ", text)
        if not runs or runs[-1].text == "\n" or runs[-1].text.endswith(" "):
            text = text.lstrip(" ")
        if text:
            runs.append(Inline(text, href))
    while runs and runs[-1].text == "\n":
        runs.pop()
    if runs:
        runs[-1] = Inline(runs[-1].text.rstrip(" "), runs[-1].href)
    if not any(run.text.strip() for run in runs):
        return []
    return [run for run in runs if run.text]


def _shown_href(href: str | None) -> str | None:
    if not href:
        return None
    href = "".join(href.split())  # browsers drop white space inside a URL
    return href if href.lower().startswith(_SHOWN_SCHEMES) else None
