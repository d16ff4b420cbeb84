"""YAML front matter -> a record, with a safe loader fitted to article records.

The plain subset aggregators write is read by `yamlsubset`; anything else by PyYAML
(libyaml's loader when present). Nesting is measured by `yamlnesting` before either
builds anything. PyYAML is imported on first use: a warm query that parses nothing
never pays for it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

from ..errors import ParseError
from ..records import MAX_DEPTH
from .result import one_line
from .surrogates import SURROGATE_ESCAPE, without_lone_surrogates
from .yamlnesting import deepest_nesting

if TYPE_CHECKING:
    from yaml import CSafeLoader, MarkedYAMLError, SafeLoader


def load_yaml(text: str, *, first_line: int = 1) -> Any:
    """Load YAML with a safe loader (libyaml's when present); ParseError on any failure.

    Safe loaders refuse tags such as `!!python/object`; aliases are refused too,
    because no article uses them and nested ones can expand without bound.
    Line numbers in errors count from `first_line`, the line `text` starts on.
    """
    import yaml  # imported here: a warm query that parses nothing never pays for it

    from .yamlsubset import load_subset

    try:
        value = load_subset(text)  # the plain files aggregators write, read several times faster
    except Exception:  # noqa: BLE001 - a bug in the fast reader must not cost the article: PyYAML reads it
        value = None
    if value is not None:
        return value
    shift = first_line - 1
    loader = _article_loader()
    _check_nesting(text, shift)
    try:
        value = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.reader.ReaderError as error:  # a control character: say on which line
        # libyaml reports the offset in bytes of the UTF-8 text, the pure-Python reader in characters.
        in_bytes = issubclass(loader, getattr(yaml, "CParser", ()))
        line = _line_of_offset(text, error.position, in_bytes=in_bytes) + shift
        message = f"invalid YAML: character #x{error.character:04x}: {error.reason}"
        raise ParseError(message, line=line) from None
    except yaml.MarkedYAMLError as error:
        raise _marked_error(error, shift) from None
    except yaml.YAMLError as error:
        raise ParseError(f"invalid YAML: {one_line(str(error))}") from None
    except (ValueError, KeyError, TypeError, OverflowError) as error:  # e.g. `!!int abc`
        raise ParseError(f"invalid YAML value: {one_line(str(error))}") from None
    if "*" in text and _has_shared_nodes(value):
        alias_line = next((n for n, row in enumerate(text.split("\n"), first_line) if "*" in row), None)
        raise ParseError("YAML aliases (*name) are not allowed in an article", line=alias_line)
    if SURROGATE_ESCAPE.search(text):  # libyaml refuses these escapes, the pure-Python reader does not
        value = without_lone_surrogates(value)
    return value


def _marked_error(error: MarkedYAMLError, shift: int) -> ParseError:
    """The ParseError for a YAML syntax error, on the line PyYAML marked."""
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 + shift if mark is not None else None
    reason = one_line(error.problem or error.context or "not valid YAML")
    if "nesting depth" in reason:  # libyaml's own limit, for shapes the scan above does not see
        return ParseError("nested too deeply to be an article", line=line)
    context = error.context_mark
    if (
        error.problem and error.context and context and mark and context.line != mark.line
        and "block" not in error.context  # "while scanning a quoted scalar": where it began
    ):
        reason += f" ({one_line(error.context)} started on line {context.line + 1 + shift})"
    return ParseError(f"invalid YAML: {reason}", line=line)


@functools.cache
def _article_loader() -> type[SafeLoader | CSafeLoader]:
    """A safe loader (libyaml's when present) fitted to article records.

    Timestamps stay the text they were written as: the record's date keys are read
    by `parse_datetime` (so an impossible date is reported against its key, with its
    line), and a date under an unknown key is kept verbatim. Tags whose values JSON
    cannot hold (`!!binary`, `!!set`, `!!omap`, `!!pairs`) and tags plain YAML does
    not define (`!!python/...`, `!local`) are refused, naming the tag and its line.
    """
    import yaml

    from .yamlsubset import MAX_INTEGER_LENGTH

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def refuse(loader: Any, node: Any) -> Any:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise yaml.constructor.ConstructorError(
            None, None, f"the tag {tag} is not allowed in an article", node.start_mark
        )

    def integer(loader: Any, node: Any) -> Any:
        # 0x/0o/0b and 1:2:3 forms have no length limit in PyYAML, but Python refuses to write
        # an integer of more than 4300 digits as text, which every output of newsarc does.
        if len(node.value) > MAX_INTEGER_LENGTH:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number written with {len(node.value)} characters is too long for an article",
                node.start_mark,
            )
        return loader.construct_yaml_int(node)

    loader = cast("type[SafeLoader | CSafeLoader]", type("ArticleLoader", (base,), {}))
    loader.add_constructor("tag:yaml.org,2002:timestamp", base.construct_scalar)  # kept as written
    loader.add_constructor("tag:yaml.org,2002:int", integer)
    for name in ("binary", "set", "omap", "pairs"):
        loader.add_constructor(f"tag:yaml.org,2002:{name}", refuse)
    loader.add_constructor(None, refuse)  # any other tag, `!!python/object/apply:...` included
    return loader


def _check_nesting(text: str, shift: int) -> None:
    """ParseError, before any YAML library builds anything, for collections nested deeper
    than a record may be (MAX_DEPTH), reported as `article_from_record` reports it.

    Measured by `yamlnesting` rather than by the loader, so the message is the same with
    every libyaml version (libyaml overflows the stack at about 20,000 levels, and since
    PyYAML 6.0.4 refuses 1,000 with words of its own). Each level needs one of `[{-?:`, so
    a text with few of them is not scanned.
    """
    if sum(map(text.count, "[{-?:")) <= MAX_DEPTH:
        return
    found = deepest_nesting(text, MAX_DEPTH + 1)  # the root mapping is one level more than a record counts
    if found is None:
        return
    if found.key is None:
        raise ParseError("nested too deeply to be an article", line=found.line + shift)
    raise ParseError(f"'{found.key}' is nested more than {MAX_DEPTH} levels deep", line=found.line + shift)


def _line_of_offset(text: str, offset: int, *, in_bytes: bool) -> int:
    if in_bytes:
        return text.encode("utf-8")[:offset].count(b"\n") + 1
    return text.count("\n", 0, offset) + 1


def _has_shared_nodes(value: Any) -> bool:
    """True when one list or mapping appears twice, which only an alias can do."""
    seen: set[int] = set()
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, (dict, list)):
            if id(node) in seen:
                return True
            seen.add(id(node))
            stack.extend(node.values() if isinstance(node, dict) else node)
    return False
