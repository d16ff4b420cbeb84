"""How deeply a YAML text nests its collections, measured without any YAML library.

libyaml overflows the C stack (and kills the process) at about 20,000 levels, and
since PyYAML 6.0.4 its bundled libyaml refuses more than 1,000 levels with a message of
its own. newsarc's limit is far lower (a record nests at most `MAX_DEPTH` levels), so the
depth is measured here first, the same with every loader version. The measure follows
YAML's structure closely enough for that: block levels by indentation and `- ` entries,
flow levels by `[` and `{` where a value starts or inside a flow collection, with
quoted scalars, block scalars (`|`, `>`) and comments skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*\s*(?:#.*)?$")
_KEY = re.compile(r"""(?:"[^"]*"|'[^']*'|[^\s#'"\[\]{},][^#]*?)\s*:(?:\s|$)""")


@dataclass(frozen=True)
class DeepNesting:
    """The first place a text nests deeper than allowed."""

    key: str | None
    """The top-level key the deep value sits under, or None at the top."""
    line: int
    """The key's line (1-based, in the text given), or the line where the limit was passed."""


def deepest_nesting(text: str, limit: int) -> DeepNesting | None:
    """Where `text` first nests more than `limit` collections deep, counting the root."""
    scanner = _Scanner(limit)
    for number, line in enumerate(text.split("\n"), 1):
        found = scanner.feed(line, number)
        if found is not None:
            return found
    return None


class _Scanner:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.indents: list[int] = []
        self.flow = 0
        self.quote: str | None = None
        self.block_scalar_indent: int | None = None
        self.key: str | None = None
        self.key_line = 0

    def feed(self, line: str, number: int) -> DeepNesting | None:
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if self.block_scalar_indent is not None:
            if not stripped or indent > self.block_scalar_indent:
                return None
            self.block_scalar_indent = None
        if self.quote is None and self.flow == 0:
            if not stripped or stripped.startswith("#"):
                return None
            return self._block_line(stripped, indent, number)
        return self._flow_text(stripped, 0, number, base=self._block_depth())

    def _block_depth(self) -> int:
        return len(self.indents)

    def _block_line(self, stripped: str, indent: int, number: int) -> DeepNesting | None:
        while self.indents and self.indents[-1] > indent:
            self.indents.pop()
        if not self.indents or self.indents[-1] < indent:
            self.indents.append(indent)
        depth = len(self.indents)
        rest = stripped
        while rest == "-" or rest.startswith("- "):  # each `- ` opens a sequence level
            depth += 1
            rest = rest[1:].lstrip(" ")
        key = _KEY.match(rest)
        if key is not None:
            if indent == 0 and depth == 1:
                self.key, self.key_line = key.group(0).rstrip(": \t").strip("'\""), number
            if rest is not stripped:
                depth += 1  # a mapping inside a sequence entry
            rest = rest[key.end():].lstrip(" ")
        if depth > self.limit:
            return self._found(number)
        if _BLOCK_SCALAR.match(rest):
            self.block_scalar_indent = indent
            return None
        return self._flow_text(rest, 0, number, base=depth)

    def _flow_text(self, text: str, start: int, number: int, *, base: int) -> DeepNesting | None:
        """Scan a value (or a continued quote or flow collection) for flow levels."""
        position = start
        if self.quote is None and self.flow == 0 and (not text or text[0] not in "[{\"'"):
            return None  # a plain scalar: brackets inside it are text
        while position < len(text):
            char = text[position]
            if self.quote is not None:
                position = self._skip_quoted(text, position)
                continue
            if char in "\"'" and (position == 0 or text[position - 1] in " \t[{,:"):
                self.quote = char
            elif char in "[{":
                self.flow += 1
                if base + self.flow > self.limit:
                    return self._found(number)
            elif char in "]}":
                self.flow = max(0, self.flow - 1)
                if self.flow == 0:
                    return None  # the rest of the line after a flow collection ends is not structure
            elif char == "#" and (position == 0 or text[position - 1] in " \t"):
                return None
            position += 1
        return None

    def _skip_quoted(self, text: str, position: int) -> int:
        while position < len(text):
            char = text[position]
            if self.quote == '"' and char == "\\":
                position += 2
                continue
            if char == self.quote:
                if self.quote == "'" and text.startswith("''", position):
                    position += 2
                    continue
                self.quote = None
                return position + 1
            position += 1
        return position

    def _found(self, number: int) -> DeepNesting:
        if self.key is None:
            return DeepNesting(None, number)
        return DeepNesting(self.key, self.key_line)
