"""``@frozen``: the records' ``@dataclass(frozen=True, slots=True)``, made cheaply.

Every ``digest`` process imports its record classes before it does anything (61 of them
for ``digest build``), and the standard library makes each slowly: on CPython 3.11 it
writes and compiles six methods for every frozen class (``__init__``, ``__repr__``,
``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``), one ``exec`` each, then
builds the class again with slots: 0.54 ms a class of 8 fields, 38-47 ms of the 90-110 ms
a fresh ``digest build`` spent importing ``generator`` (the target for a whole build after
an edit at 10,000 stories is 0.3 s).

``frozen`` lets the standard library find the fields and add the slots
(``dataclass(slots=True, init=False, repr=False, eq=False)``: no ``exec``). It compiles
``__init__`` (called for every record made: a generated function that assigns each field
with ``object.__setattr__``, the standard library's own text) and ``__hash__`` (called
for every record used as a key) once for every shape of class, renaming the compiled code
for each class of that shape (``code.replace``). The other methods are closures, made
without compiling anything. 0.09 ms a class of a shape already compiled; the 60 classes
``digest build`` imports take 10-11 ms (16 ``__init__`` and 14 ``__hash__`` compiled).

The class is a dataclass like any other (``fields``, ``replace``, ``astuple``, ``asdict``,
``__match_args__``, ``__dataclass_fields__``, ``__dataclass_params__`` frozen,
``kernels.maker``), and behaves as the standard library's would: the same ``__init__``
signature, defaults, ``default_factory`` and errors; ``field(compare=False)``,
``field(repr=False)``, ``field(hash=...)``, ``field(init=False)``, ``kw_only``; equality
only with the same class (else ``NotImplemented``), the same hash, the same ``repr`` text
(cache keys hash some: ``fingerprints.settings_digest``), ``FrozenInstanceError`` on
assignment or deletion, and the same pickled state (``__getstate__``/``__setstate__``, for
copy and deepcopy too). A class this does not cover (a dataclass base, ``__post_init__``,
``InitVar``, one of these methods of its own, no docstring) is made by the standard library
instead. ``tests/test_frozen.py`` compares the two for any shape of class.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence
from dataclasses import MISSING, Field, FrozenInstanceError
from functools import cache
from operator import attrgetter
from reprlib import recursive_repr
from types import CellType, CodeType, FunctionType
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

_OWN_METHODS = frozenset({"__init__", "__repr__", "__eq__", "__hash__", "__setattr__",
                          "__delattr__", "__getstate__", "__setstate__", "__post_init__"})
"""Methods ``frozen`` would make: a class with one of its own is left to the standard
library (whose rules for each are its own). (``__hash__`` is in the class's namespace as
None where it defines ``__eq__``.)"""


_INIT_NAMES = ("_dflt_", "__dataclass_", "_HAS_DEFAULT_FACTORY")
"""What the names ``__init__`` uses besides the fields' start with."""


class _Factory:
    """The default of a ``default_factory`` field's ``__init__`` parameter (the standard
    library's shows as ``<factory>`` in the signature too)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<factory>"


_HAS_DEFAULT_FACTORY = _Factory()


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, Field))
def frozen(cls: type[T], /) -> type[T]:
    """``@dataclass(frozen=True, slots=True)``, with its methods compiled once for every
    shape of class rather than for every class (see the module's docstring)."""
    if _left_to_the_standard_library(cls):
        return dataclasses.dataclass(frozen=True, slots=True)(cls)
    made: type[T] = dataclasses.dataclass(slots=True, init=False, repr=False, eq=False)(cls)
    params = made.__dataclass_params__  # type: ignore[attr-defined]
    params.init = params.repr = params.eq = params.frozen = True
    fields = dataclasses.fields(made)  # type: ignore[arg-type]
    _add_init(made, fields)
    _add_methods(made, fields)
    names = tuple(field.name for field in fields)
    _add(made, *_frozen_attributes(cls, names), _getstate(_getter(names)), _setstate(names))
    return made


def _left_to_the_standard_library(cls: type) -> bool:
    """Whether ``cls`` has what ``frozen`` does not make as the standard library would:
    a dataclass among its bases, an ``InitVar``, a ``__post_init__``, one of the methods it
    makes of its own, no docstring (the standard library writes one from the signature),
    or a field named as one of ``__init__``'s own names."""
    namespace = vars(cls)
    annotations = namespace.get("__annotations__", {})
    return (not cls.__doc__ or not _OWN_METHODS.isdisjoint(namespace)
            or hasattr(cls, "__post_init__")
            or any(hasattr(base, "__dataclass_fields__") for base in cls.__mro__[1:])
            or any("InitVar" in str(annotation) for annotation in annotations.values())
            or any(name.startswith(_INIT_NAMES) for name in annotations))


def _getter(names: Sequence[str]) -> Callable[[object], tuple[Any, ...]]:
    """The values of the attributes ``names`` of an object, as a tuple (as the standard
    library's methods compare, hash and pickle them)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _add_init(cls: type, fields: tuple[Field[Any], ...]) -> None:
    """Give ``cls`` the ``__init__`` the standard library's frozen dataclass has: the
    same parameters, defaults and annotations, the same assignments in the same order.
    It is compiled once per shape of class (which fields have a default factory, are left
    out of ``__init__`` or are keyword-only: 18 shapes for the generator's 77 records),
    and named for each class (``_init_template``)."""
    names = [field.name for field in fields]
    shape = tuple(_kind(field) for field in fields)
    seen_default = False
    for field, kind in zip(fields, shape, strict=True):
        if kind[0] == "p":
            if field.default is not MISSING or kind == "pf":
                seen_default = True
            elif seen_default:
                raise TypeError(f"non-default argument {field.name!r} follows default argument")
    template = _init_template(shape)
    real = {f"_{index}": name for index, name in enumerate(names)}
    real["self"] = "__dataclass_self__" if "self" in names else "self"
    values: dict[str, object] = {"__dataclass_builtins_object__": object,
                                 "_HAS_DEFAULT_FACTORY": _HAS_DEFAULT_FACTORY}
    for index, field in enumerate(fields):
        real[f"_dflt__{index}"] = f"_dflt_{field.name}"
        values[f"_dflt__{index}"] = (field.default if field.default_factory is MISSING
                                     else field.default_factory)
    code = template.replace(
        co_varnames=tuple(real[name] for name in template.co_varnames),
        co_freevars=tuple(real.get(name, name) for name in template.co_freevars),
        co_consts=tuple(real.get(const, const) if type(const) is str else const
                        for const in template.co_consts))
    module = sys.modules.get(cls.__module__)
    init = FunctionType(code, vars(module) if module else {}, "__init__",
                        tuple(_default(field) for field in fields
                              if field.init and not field.kw_only and _has_default(field))
                        or None,
                        tuple(CellType(values[name]) for name in template.co_freevars))
    init.__kwdefaults__ = {field.name: _default(field) for field in fields
                           if field.init and field.kw_only and _has_default(field)} or None
    init.__annotations__ = {**{field.name: field.type for field in fields
                               if field.init and not field.kw_only},
                            **{field.name: field.type for field in fields
                               if field.init and field.kw_only}, "return": None}
    _add(cls, init)


def _kind(field: Field[Any]) -> str:
    """What a field is to ``__init__``: a parameter (``p`` positional, ``k`` keyword-only,
    then ``f`` where its default is a factory's), or not (``F`` set from a factory, ``d``
    from a default, ``-`` left unset)."""
    factory = field.default_factory is not MISSING
    if field.init:
        return ("k" if field.kw_only else "p") + ("f" if factory else "")
    return "F" if factory else "d" if field.default is not MISSING else "-"


def _has_default(field: Field[Any]) -> bool:
    return field.default is not MISSING or field.default_factory is not MISSING


def _default(field: Field[Any]) -> object:
    """A parameter's default: the field's, or the marker of a factory's."""
    return _HAS_DEFAULT_FACTORY if field.default_factory is not MISSING else field.default


@cache
def _init_template(shape: tuple[str, ...]) -> CodeType:
    """The code of ``__init__`` for fields of kinds ``shape`` (see ``_kind``), compiled
    from the text the standard library writes, with ``_0``, ``_1``... for the fields'
    names and ``_dflt__0``... for their defaults and factories (``_add_init`` names
    them)."""
    positional = [f"_{index}" for index, kind in enumerate(shape) if kind[0] == "p"]
    keywords = [f"_{index}" for index, kind in enumerate(shape) if kind[0] == "k"]
    lines = []
    for index, kind in enumerate(shape):
        name, default = f"_{index}", f"_dflt__{index}"
        value = {"p": name, "k": name, "F": f"{default}()", "d": default,
                 "-": None}.get(kind, f"{default}() if {name} is _HAS_DEFAULT_FACTORY else {name}")
        if value is not None:  # (init=False and no default: left unset, as theirs does)
            lines.append(f"  __dataclass_builtins_object__.__setattr__(self,{name!r},{value})")
    parameters = ",".join(["self", *positional, *(["*", *keywords] if keywords else [])])
    closed = ",".join(["__dataclass_builtins_object__", "_HAS_DEFAULT_FACTORY",
                       *(f"_dflt__{index}" for index in range(len(shape)))])
    text = (f"def __create_fn__({closed}):\n def __init__({parameters}):\n"
            + ("\n".join(lines) or "  pass") + "\n return __init__")
    made: dict[str, Any] = {}
    exec(text, {}, made)  # (text made above, from placeholders only)
    code: CodeType = next(const for const in made["__create_fn__"].__code__.co_consts
                          if isinstance(const, CodeType))
    return code


def _add(cls: type, *methods: Callable[..., Any]) -> None:
    """Set each of ``methods`` on ``cls`` under its name, with the qualified name the
    standard library gives it (``Story.__eq__``)."""
    for method in methods:
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(cls, method.__name__, method)


def _add_methods(cls: type, fields: tuple[Field[Any], ...]) -> None:
    """Give ``cls`` the standard library's ``__eq__`` (the compared fields' tuples, of the
    same class), ``__hash__`` (of the hashed fields' tuple) and ``__repr__``
    (``Name(a=1, b='x')`` with the class's qualified name and the fields shown, ``...`` for
    a record within itself).

    ``__hash__`` is the standard library's code, compiled once for every number of fields
    hashed (``_hash_template``) and named for each class: builds hash records a lot (topic
    references as keys: 6-7 a story), and ``hash(attrgetter(...)(self))`` takes 25% longer
    (2 fields) to twice as long (20). ``__eq__`` and ``__repr__`` read the fields with an
    ``attrgetter``, made without compiling anything (compiling them too would cost a fresh
    process 2-3 ms more): they take 1.5-2.5 times as long as the standard library's, but
    builds hardly call them (a build of 66 stories: no ``__eq__``, 3 ``__repr__``, 383
    ``__hash__``)."""
    compared = _getter([field.name for field in fields if field.compare])
    hashed = [field.name for field in fields
              if (field.compare if field.hash is None else field.hash)]
    shown = [field.name for field in fields if field.repr]
    values = _getter(shown)
    template = "(" + ", ".join(f"{name}={{!r}}" for name in shown) + ")"

    def __eq__(self: object, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    @recursive_repr()
    def __repr__(self: object) -> str:
        return self.__class__.__qualname__ + template.format(*values(self))
    code = _hash_template(len(hashed))
    real = {f"_{index}": name for index, name in enumerate(hashed)}
    module = sys.modules.get(cls.__module__)
    _add(cls, __eq__, __repr__, FunctionType(
        code.replace(co_names=tuple(real.get(name, name) for name in code.co_names)),
        vars(module) if module else {}))


@cache
def _hash_template(count: int) -> CodeType:
    """The code of the standard library's ``__hash__`` of ``count`` fields, with ``_0``,
    ``_1``... for their names (``_add_methods`` names them)."""
    values = f"({','.join(f'self._{index}' for index in range(count))},)" if count else "()"
    made: dict[str, Any] = {}
    exec(f"def __hash__(self):\n return hash({values})\n", {}, made)  # (from placeholders)
    code: CodeType = made["__hash__"].__code__
    return code


def _frozen_attributes(cls: type[Any], names: tuple[str, ...]) -> tuple[Callable[..., None], ...]:
    """The standard library's ``__setattr__`` and ``__delattr__``: a field cannot be set
    or deleted. Their ``cls`` is, as theirs is, the class as written, not the slotted one
    made from it (so setting another attribute is the same ``TypeError`` from ``super()``
    as with theirs)."""
    def __setattr__(self: Any, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)
    return __setattr__, __delattr__


def _getstate(every: Callable[[object], tuple[Any, ...]]) -> Callable[[object], list[Any]]:
    """The standard library's ``__getstate__`` of a frozen slots class: the fields'
    values, in order, as a list (so a pickle holds what the standard one does)."""
    def __getstate__(self: object) -> list[Any]:
        return list(every(self))
    return __getstate__


def _setstate(names: tuple[str, ...]) -> Callable[[object, Sequence[object]], None]:
    """The standard library's ``__setstate__``: each field from the pickled list."""
    def __setstate__(self: object, state: Sequence[object]) -> None:
        for name, value in zip(names, state):  # noqa: B905 (the standard library's zip)
            object.__setattr__(self, name, value)
    return __setstate__
