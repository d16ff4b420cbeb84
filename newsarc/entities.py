"""HTML character references in article text -> the characters a reader expects.

Aggregators copy excerpts and titles out of web pages, so `&#8217;`, `&amp;` and
`&nbsp;` reach the files as they were in the page's HTML. `decode_entities` turns
them into text (`that&#8217;s` -> `that’s`); it is pure and cheap on text without
an ampersand, so it runs on every record read.

Only complete references are decoded: a name or number closed by `;`. HTML5 also
accepts some names without it (`&copy`, `&not`), and `R&D`, `AT&T` or
`this&nothing` are text that merely holds an ampersand, so those stay as written.
A reference whose character would be a control character (`&#27;` is ESC) stays
as written too, so decoding never makes text less safe than it was.
"""

from __future__ import annotations

import re
import unicodedata

# `&\#8217;` is `&#8217;` after a Markdown writer escaped its `#`.
_REFERENCE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|\\?#[0-9]{1,7}|\\?#[xX][0-9A-Fa-f]{1,6});")
# Spaces that only stop a line breaking in a browser: a reader sees a space.
_AS_SPACE = {"\u00a0": " ", "\u202f": " ", "\u2007": " "}
# A double-encoded reference (`&amp;#8217;`) takes two rounds; a third would start
# decoding text that spells a reference on purpose (`&amp;amp;` in an article about HTML).
_ROUNDS = 2


def decode_entities(text: str) -> str:
    """`text` with its HTML character references decoded (see the module's docstring)."""
    if "&" not in text:
        return text
    for _ in range(_ROUNDS):
        decoded = _REFERENCE.sub(_character, text)
        if decoded == text:
            break
        text = decoded
    return text


def _character(match: re.Match[str]) -> str:
    # html and its table of 2,231 names load only for text that holds a reference.
    from html import unescape
    from html.entities import html5

    reference = match[0].replace("\\#", "#", 1)
    if reference[1] == "#":
        character = unescape(reference)
        # `unescape` gives U+FFFD for a number that names no character, and nothing
        # for one HTML forbids (most controls): either way the text stays as written.
        if character == "" or (character == "\ufffd" and _number(reference) != 0xFFFD):
            return match[0]
    else:
        # Exactly the name: `unescape` would also read `&notit;` as `&not` + `it;`.
        named = html5.get(reference[1:])
        if named is None:
            return match[0]
        character = named
    return "".join(map(_readable, character)) if _is_text(character) else match[0]


def _number(reference: str) -> int:
    digits = reference[2:-1]
    return int(digits[1:], 16) if digits[:1] in ("x", "X") else int(digits)


def _is_text(decoded: str) -> bool:
    """False when the reference names a control character (tab and newline are text)."""
    return all(each in "\t\n" or unicodedata.category(each) != "Cc" for each in decoded)


def _readable(character: str) -> str:
    """A no-break space as a space; an invisible format character (soft hyphen,
    zero-width space, a bidi override) as nothing, as a reader sees it."""
    if character in _AS_SPACE:
        return _AS_SPACE[character]
    return "" if unicodedata.category(character) == "Cf" else character
