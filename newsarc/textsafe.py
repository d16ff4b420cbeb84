"""Turning untrusted article text into inert plain text.

Article strings come from anywhere. Before they reach a terminal they lose every
escape sequence and control character, so a title cannot move the cursor, open a
hyperlink, recolour the screen or reorder text with bidirectional overrides.
Rich markup is not handled here: renderers pass text to rich as `Text`, which
never interprets markup.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences,
# and the 8-bit C1 forms of CSI/OSC.
_ESCAPE_SEQUENCE = r"""(?xs)
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]           # CSI
  | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c|$)   # OSC, up to its terminator
  | \x1b[P^_X].*?(?:\x1b\\|\x9c|$)             # DCS, PM, APC, SOS strings
  | \x1b[@-Z\\-_]?                              # any other escape
    """
# Every character of the Unicode categories Cc (controls: C0 but tab and newline,
# DEL, C1) and Cf (format: bidi marks, overrides and isolates, the Arabic letter
# mark U+061C, zero-width characters, soft hyphen, tags, ...), as of Unicode 15.1,
# with a little room in the blocks that grow. A format character changes how the
# text around it is displayed, so it can make a title read as something else.
_UNSAFE_CHARACTER = (
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
# Line breaks by meaning (Zl, Zp, and NEL): a terminal may or may not break there,
# so they become the one line break it always honours.
_LINE_BREAK = "\r\n|[\r\x85\u2028\u2029]"
# The three patterns above are compiled on first use (re keeps them): printable ASCII,
# most text, never needs them, and compiling them costs every command a few ms.
_WHITESPACE_RUN = re.compile(r"\s+")


def safe_text(text: str | None) -> str:
    """`text` with escape sequences removed and control and format characters dropped.

    Newlines and tabs survive (a tab becomes spaces); a lone carriage return and the
    Unicode line and paragraph separators become a newline, so a carriage return
    cannot overwrite the start of a line.
    """
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return text
    return terminal_text(text).replace("\t", "    ")


def terminal_text(text: str) -> str:
    """`text` fit for a terminal as it is, tabs kept: escape sequences removed, line
    breaks made newlines, every other control or format character dropped."""
    if text.isascii() and text.isprintable():
        return text
    text = re.sub(_ESCAPE_SEQUENCE, "", re.sub(_LINE_BREAK, "\n", text))
    return re.sub(_UNSAFE_CHARACTER, "", text)


def safe_line(text: str | None, *, strip: bool = True) -> str:
    """`safe_text` folded onto one line: every run of white space becomes one space."""
    line = _WHITESPACE_RUN.sub(" ", safe_text(text))
    return line.strip() if strip else line


class TerminalStream:
    """A text stream for a terminal: whatever is written reaches `stream` through
    `terminal_text`, so data formats (CSV, JSON, ...) shown on a screen are as inert
    as the tables. For files and pipes, write to the stream itself: they keep the
    exact text.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._pending_cr = False  # a CR ending one write may start a CRLF in the next

    def write(self, text: str) -> int:
        written = len(text)
        if self._pending_cr:
            text = "\r" + text
        self._pending_cr = text.endswith("\r")
        self._stream.write(terminal_text(text[:-1] if self._pending_cr else text))
        return written

    def flush(self) -> None:
        if self._pending_cr:
            self._pending_cr = False
            self._stream.write("\n")
        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
