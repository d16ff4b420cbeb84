"""Turning untrusted article text into inert plain text.

Article strings come from anywhere. Before they reach a terminal they lose every
escape sequence and control character, so a title cannot move the cursor, open a
hyperlink, recolour the screen or reorder text with bidirectional overrides.
Rich markup is not handled here: renderers pass text to rich as `Text`, which
never interprets markup.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-byte ESC sequences,
# and the 8-bit C1 forms of CSI/OSC.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]           # CSI
  | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c|$)   # OSC, up to its terminator
  | \x1b[P^_X].*?(?:\x1b\\|\x9c|$)             # DCS, PM, APC, SOS strings
  | \x1b[@-Z\\-_]?                              # any other escape
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 and C1 controls except tab and newline, DEL, and the format characters that
# change how surrounding text is displayed (bidi overrides/isolates, zero-width).
_UNSAFE_CHARACTER = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)
_WHITESPACE_RUN = re.compile(r"\s+")


def safe_text(text: str | None) -> str:
    """`text` with escape sequences removed and control characters dropped.

    Newlines and tabs survive (a tab becomes spaces); a lone carriage return
    becomes a newline, so it cannot overwrite the start of a line.
    """
    if not text:
        return ""
    if text.isascii() and text.isprintable():
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _UNSAFE_CHARACTER.sub("", text)


def safe_line(text: str | None, *, strip: bool = True) -> str:
    """`safe_text` folded onto one line: every run of white space becomes one space."""
    line = _WHITESPACE_RUN.sub(" ", safe_text(text))
    return line.strip() if strip else line
