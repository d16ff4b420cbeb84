"""Lone surrogates out of parsed text: no UTF-8 output (the index included) can hold one."""

from __future__ import annotations

import re
from typing import Any

SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
"""`\\uD800`-style escapes: JSON (and PyYAML without libyaml) turn an unpaired one into a
lone surrogate. A text without one needs no repair."""


def without_lone_surrogates(value: Any) -> Any:
    """`value` with every unpaired surrogate in its text (keys too) replaced by U+FFFD.

    A pair the pure-Python YAML reader leaves as two code points is joined. Containers
    are changed in place, without recursing (any depth is safe).
    """
    if isinstance(value, str):
        return _valid_text(value)
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for position, item in enumerate(node):
                if isinstance(item, str):
                    node[position] = _valid_text(item)
                elif isinstance(item, (list, dict)):
                    stack.append(item)
        elif isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for key, item in items:
                if isinstance(item, str):
                    item = _valid_text(item)
                elif isinstance(item, (list, dict)):
                    stack.append(item)
                node[_valid_text(key) if isinstance(key, str) else key] = item
    return value


def _valid_text(text: str) -> str:
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
