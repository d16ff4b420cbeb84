"""Records with their fields in `__slots__`: what `@dataclass` gives the model, the results
and the query tree, without its cost at import.

`@dataclass` compiles `__init__`, `__repr__`, `__eq__` (and for a frozen class `__setattr__`
and `__hash__`) with `exec` while its module is imported, about 1 ms a class that every
command pays, and `dataclasses` itself loads `inspect`. Here a record lists its fields in
`__slots__` (base classes first) and writes its own `__init__`, keyword names the fields;
equality, hashing, `repr`, freezing, copying and `replace`/`as_dict` come from the base as
a dataclass has them: equal when of the same class with equal compared fields, a mutable
record unhashable, a frozen one hashed on its compared fields.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, ClassVar, TypeVar

R = TypeVar("R", bound="Record")


class FrozenInstanceError(AttributeError):
    """A field of a frozen record was assigned or deleted."""


class Record:
    """A mutable record: compared field by field, never hashed (as a mutable dataclass)."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()
    _uncompared: ClassVar[frozenset[str]] = frozenset()
    """Fields left out of equality and hashing (`field(compare=False)` of a dataclass)."""
    _compared: ClassVar[Any]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        slots = (vars(klass).get("__slots__", ()) for klass in reversed(cls.__mro__))
        # A `__dict__` slot (for a cached_property) is no field.
        cls._fields = tuple(name for names in slots for name in names if not name.startswith("__"))
        if not cls._fields:  # an abstract base, as FrozenRecord
            return
        # One C call that reads the compared fields; a staticmethod so an instance does not bind it.
        compared = [name for name in cls._fields if name not in cls._uncompared]
        cls._compared = staticmethod(attrgetter(*compared))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(self._compared(self) == self._compared(other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{self.__class__.__qualname__}({shown})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt through __init__ (fields in order), so copy and pickle work on a frozen one too.
        return self.__class__, tuple(getattr(self, name) for name in self._fields)


class FrozenRecord(Record):
    """A record whose fields are set once, by `_init`; hashed on its compared fields."""

    __slots__ = ()

    def _init(self, *values: Any) -> None:
        """Sets the fields, in the order of `_fields`, past the freezing."""
        for name, value in zip(self._fields, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(self._compared(self))


def replace(record: R, **changes: Any) -> R:
    """A copy of `record` with `changes` (field name -> value), as `dataclasses.replace`."""
    values = {name: getattr(record, name) for name in record._fields}
    values.update(changes)
    return record.__class__(**values)


def as_dict(value: Any) -> Any:
    """A record as a dict of its fields, records, lists, tuples and dicts inside converted
    too (as `dataclasses.asdict`, which also deep-copies other values: newsarc's are immutable)."""
    if isinstance(value, Record):
        return {name: as_dict(getattr(value, name)) for name in value._fields}
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a NamedTuple takes its fields one by one
        return type(value)(*[as_dict(item) for item in value])
    if isinstance(value, (list, tuple)):
        return type(value)(as_dict(item) for item in value)
    if isinstance(value, dict):
        return {as_dict(key): as_dict(item) for key, item in value.items()}
    return value
