"""The command line's words sorted into global options, command options and query words.

Click alone would read `-hsbc` as `-h -s -b -c` and `-sensetime` as `-s -e -n setime`,
so a query command's arguments are sorted here first, by these rules (README, "Argument
rules"):

- everything after `--` is a query word;
- `--name` and `--name=value` are options; an unknown one is an error with a suggestion;
- a word starting with one `-` is a query word (an exclusion such as `-hsbc` or
  `-provider:x`), except a declared short option written alone (`-h`, `-q`, `-f csv`,
  `-o FILE`), and a short option that takes a number (`-n`) only when a number follows;
- a global option (`--color never`, `--no-pager`, `-q`, ...) may come after the command,
  as with gh or docker; it is moved in front of it.

This module knows nothing of click: the CLI describes each command's options as an
`OptionTable` and gets back the arguments to hand to click.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from ..errors import NewsarcError

_NUMBER = re.compile(r"\d+")


class ArgumentError(NewsarcError):
    """A command line that cannot be read: an unknown option, an argument that is not text."""


# The CLI's records are NamedTuples, not frozen dataclasses: built once per run, they
# need no more, and a frozen dataclass costs every command about 1 ms at import.
class OptionTable(NamedTuple):
    """The options one command declares, by every spelling (`--limit`, `-n`)."""

    takes_value: Mapping[str, bool]
    numeric: frozenset[str] = frozenset()  # short spellings taking a number

    def knows(self, spelling: str) -> bool:
        return spelling in self.takes_value

    def long_names(self) -> list[str]:
        return [name for name in self.takes_value if name.startswith("--")]


class SortedArguments(NamedTuple):
    """The command line sorted: the global options (moved in front), then the command's arguments."""

    global_options: list[str]
    command_arguments: list[str]


def locate_command(args: Sequence[str], global_table: OptionTable) -> int | None:
    """The position of the command name: the first word that is not a global option or its value."""
    position = 0
    while position < len(args):
        word = args[position]
        if word == "--" or not word.startswith("-") or word == "-":
            return position if word != "--" else None
        name, has_value = _spelling(word)
        if not global_table.knows(name):
            hint = _suggestion(name, global_table.long_names()) or "see `newsarc --help`"
            raise ArgumentError(f"no such option {name}", hint=hint)
        position += 2 if global_table.takes_value[name] and not has_value else 1
    return None


def sort_arguments(
    args: Sequence[str],
    command: OptionTable,
    global_table: OptionTable,
    *,
    command_name: str,
    takes_query: bool,
    strict: bool = True,
) -> SortedArguments:
    """Split what follows the command name. With `takes_query`, the query words are
    gathered after one `--`, so click takes none of them for an option."""
    global_options: list[str] = []
    options: list[str] = []
    words: list[str] = []
    verbatim: list[str] = []  # what follows `--`
    position = 0
    while position < len(args):
        word = args[position]
        position += 1
        if word == "--":
            verbatim = list(args[position:])
            break
        table = _option_of(word, args, position, command, global_table)
        if table is None:
            if word.startswith("--") or (word.startswith("-") and word != "-" and not takes_query):
                if strict:
                    raise _unknown_option(word, command, global_table, command_name)
                options.append(word)
            else:
                words.append(word)
            continue
        target = options if table is command else global_options
        target.append(word)
        name, has_value = _spelling(word)
        if table.takes_value[name] and not has_value and position < len(args):
            target.append(args[position])
            position += 1
    if takes_query:
        words += verbatim
        return SortedArguments(global_options, options + (["--", *words] if words else []))
    return SortedArguments(global_options, options + words + (["--", *verbatim] if verbatim else []))


def _option_of(word: str, args: Sequence[str], following: int, command: OptionTable,
               global_table: OptionTable) -> OptionTable | None:
    """The table that declares `word` as an option, or None when it is a word (or unknown)."""
    if not word.startswith("-") or word == "-":
        return None
    name, has_value = _spelling(word)
    table = command if command.knows(name) else global_table if global_table.knows(name) else None
    if table is None or word.startswith("--"):
        return table
    if has_value:
        return None  # `-n5`, `-fcsv`: short options never take an attached value
    if name in table.numeric and not _number_at(args, following):
        return None  # `-n` before a word is the exclusion of "n"
    return table


def _unknown_option(word: str, command: OptionTable, global_table: OptionTable,
                    command_name: str) -> ArgumentError:
    if not word.startswith("--"):  # `show -x.md`: a file name, most likely
        return ArgumentError(f"no such option {word}",
                             hint=f"write `-- {word}` for an argument that starts with -")
    name, _ = _spelling(word)
    hint = _suggestion(name, command.long_names() + global_table.long_names())
    return ArgumentError(f"no such option {name}", hint=hint or f"see `newsarc {command_name} --help`")


def check_text(value: str, what: str) -> None:
    """ArgumentError unless `value` is UTF-8 text without NUL (an argument, an option value)."""
    shown = _shown(value)
    if "\x00" in value:
        raise ArgumentError(f"{what} '{shown}' holds a NUL character", hint="remove it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ArgumentError(f"{what} '{shown}' is not valid UTF-8",
                            hint="newsarc reads arguments as UTF-8 text") from None


def _shown(value: str, limit: int = 60) -> str:
    """`value` as printable text: undecodable bytes as `\\xff`, NUL as `\\x00`, cut to `limit`."""
    try:
        raw = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that did not come from a byte
        raw = value.encode("utf-8", "backslashreplace")
    shown = raw.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def _spelling(word: str) -> tuple[str, bool]:
    if word.startswith("--"):
        name, equals, _ = word.partition("=")
        return name, bool(equals)
    return word[:2], len(word) > 2


def _number_at(args: Sequence[str], position: int) -> bool:
    return position < len(args) and _NUMBER.fullmatch(args[position]) is not None


def _suggestion(name: str, choices: Sequence[str]) -> str | None:
    import difflib  # only a mistyped option pays for it

    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else None
