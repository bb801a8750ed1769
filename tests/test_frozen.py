"""``@frozen`` makes the class ``@dataclass(frozen=True, slots=True)`` makes, behaving the same
way in everything: for any shape of class (fields with and without defaults, factories,
``compare``, ``repr``, ``hash``, ``init`` and ``kw_only`` options), the standard library's
class and ours give the same results and the same errors."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
import re
import sys
import types
from collections.abc import Callable, Iterator
from dataclasses import FrozenInstanceError, asdict, astuple, dataclass, field, fields, replace
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import kernels
from generator.frozen import _hash_template, _init_template, frozen

STANDARD = dataclass(frozen=True, slots=True)

# Two modules to make the classes in, named alike, so that pickles of their instances differ
# only by the module's name.
STD_MODULE = types.ModuleType("_frozen_shapes_std")
NEW_MODULE = types.ModuleType("_frozen_shapes_new")
sys.modules[STD_MODULE.__name__] = STD_MODULE
sys.modules[NEW_MODULE.__name__] = NEW_MODULE

KINDS = ("required", "default", "factory", "noinit_default", "noinit_factory", "noinit_unset")
NAMES = ("a", "b", "c", "d", "e", "f", "self", "other", "name", "value")


class FieldSpec(NamedTuple):
    name: str
    kind: str
    default: object
    compare: bool
    repr: bool
    hash: bool | None
    kw_only: bool


values = st.one_of(st.integers(-3, 3), st.text(max_size=2), st.none(),
                   st.floats(allow_nan=True, allow_infinity=True),
                   st.tuples(st.integers(0, 2)), st.frozensets(st.integers(0, 2), max_size=2))
field_specs = st.builds(FieldSpec, st.sampled_from(NAMES), st.sampled_from(KINDS), values,
                        st.booleans(), st.booleans(), st.sampled_from((None, True, False)),
                        st.booleans())
shapes = st.lists(field_specs, max_size=6, unique_by=lambda spec: spec.name)


def make_field(spec: FieldSpec) -> Any:
    options: dict[str, Any] = {"compare": spec.compare, "repr": spec.repr, "hash": spec.hash,
                               "kw_only": spec.kw_only, "init": not spec.kind.startswith("noinit")}
    if spec.kind in ("default", "noinit_default"):
        options["default"] = spec.default
    elif spec.kind in ("factory", "noinit_factory"):
        options["default_factory"] = tuple
    return field(**options)


def make_class(specs: list[FieldSpec], decorate: Callable[[type], type],
               module: types.ModuleType, *, doc: str | None = "A shape.",
               extra: dict[str, Any] | None = None, bases: tuple[type, ...] = ()) -> type:
    """The class ``Holder.Shape`` (a qualified name, as a class's within another) with
    fields ``specs``, made by ``decorate`` in ``module``."""
    namespace: dict[str, Any] = {"__module__": module.__name__, "__qualname__": "Holder.Shape",
                                 "__doc__": doc,
                                 "__annotations__": {spec.name: "object" for spec in specs}}
    namespace.update({spec.name: make_field(spec) for spec in specs})
    namespace.update(extra or {})
    made = decorate(type("Shape", bases, namespace))
    module.Holder = types.SimpleNamespace(Shape=made)  # type: ignore[attr-defined]
    return made


def outcome(call: Callable[[], Any]) -> tuple[object, ...]:
    """What ``call`` gives, or the type and text of what it raises."""
    try:
        return ("ok", call())
    except Exception as error:  # (the point: both classes raise the same)
        return ("error", type(error), str(error))


def both(specs: list[FieldSpec], **options: Any) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """The standard library's class and ours, or what making each raises."""
    return (outcome(lambda: make_class(specs, STANDARD, STD_MODULE, **options)),
            outcome(lambda: make_class(specs, frozen, NEW_MODULE, **options)))


def describe_class(cls: type) -> dict[str, object]:
    return {
        "fields": [repr(each).replace("_frozen_shapes_std", "_frozen_shapes_new")
                   for each in fields(cls)],
        "signature": str(inspect.signature(cls)),
        "init annotations": cls.__init__.__annotations__,
        "match_args": cls.__match_args__,  # type: ignore[attr-defined]
        "slots": cls.__slots__,  # type: ignore[attr-defined]
        "params": repr(cls.__dataclass_params__),  # type: ignore[attr-defined]
        "doc": cls.__doc__,
        "dataclass": dataclasses.is_dataclass(cls),
        "qualnames": [getattr(cls, name).__qualname__ for name in
                      ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__",
                       "__delattr__")],
        "class attributes": sorted(vars(cls)),
    }


def describe(instance: object, names: list[str]) -> dict[str, object]:
    """Everything one can do with a record, as comparable values."""
    pickled = outcome(lambda: pickle.dumps(instance, protocol=pickle.HIGHEST_PROTOCOL)
                      .replace(b"_frozen_shapes_std", b"_frozen_shapes_new"))
    return {
        "repr": outcome(lambda: repr(instance)),
        "astuple": outcome(lambda: astuple(instance)),  # type: ignore[call-overload]
        "asdict": outcome(lambda: asdict(instance)),  # type: ignore[call-overload]
        "hash": outcome(lambda: hash(instance)),
        "eq itself": outcome(lambda: instance == instance),
        "eq another class": outcome(lambda: instance.__eq__(0)),
        "state": outcome(lambda: instance.__getstate__()),  # type: ignore[attr-defined]
        "pickled": pickled,
        "unpickled": outcome(lambda: repr(pickle.loads(pickle.dumps(instance)))),
        "copy": outcome(lambda: repr(copy.copy(instance))),
        "deepcopy": outcome(lambda: repr(copy.deepcopy(instance))),
        "match": outcome(lambda: [getattr(instance, name, "unset") for name in
                                  type(instance).__match_args__]),  # type: ignore[attr-defined]
        "set": [outcome(lambda name=name: setattr(instance, name, 1))  # type: ignore[misc]
                for name in [*names, "elsewhere"]],
        "delete": [outcome(lambda name=name: delattr(instance, name))  # type: ignore[misc]
                   for name in [*names, "elsewhere"]],
        "read": [outcome(lambda name=name: getattr(instance, name))  # type: ignore[misc]
                 for name in names],
    }


def same(std: object, new: object) -> None:
    """``std`` and ``new`` (outcomes, descriptions) are alike, once the standard library's
    module is named as ours."""
    def plain(value: object) -> str:
        return repr(value).replace("_frozen_shapes_std", "_frozen_shapes_new")
    assert plain(new) == plain(std)


class Call(NamedTuple):
    args: tuple[object, ...]
    kwargs: dict[str, object]


def calls(specs: list[FieldSpec]) -> st.SearchStrategy[Call]:
    """Calls of the class: each field given by position, by keyword or not at all, and at
    times an argument too many or an unknown keyword (the errors must be the same too)."""
    modes = st.lists(st.tuples(st.sampled_from(("pos", "kw", "omit")), values),
                     min_size=len(specs), max_size=len(specs))
    extras = st.sampled_from(((), ("extra",), ("unknown",)))

    def call(chosen: list[tuple[str, object]], extra: tuple[str, ...]) -> Call:
        args = [value for (mode, value) in chosen if mode == "pos"]
        kwargs = {spec.name: value for spec, (mode, value) in zip(specs, chosen, strict=True)
                  if mode == "kw"}
        if "extra" in extra:
            args.append(0)
        if "unknown" in extra:
            kwargs["unknown"] = 0
        return Call(tuple(args), kwargs)
    return st.builds(call, modes, extras)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_shape_behaves_as_the_standard_librarys(data: st.DataObject) -> None:
    specs = data.draw(shapes)
    std_made, new_made = both(specs)
    same(std_made, new_made)
    if std_made[0] != "ok":
        return  # (a field without a default after one with: the same TypeError, above)
    std, new = std_made[1], new_made[1]
    assert isinstance(std, type) and isinstance(new, type)
    same(describe_class(std), describe_class(new))
    names = [spec.name for spec in specs]
    made: list[tuple[object, object]] = []
    for _ in range(2):
        call = data.draw(calls(specs))
        std_one, new_one = construct(std, call), construct(new, call)
        same(std_one[:1] if std_one[0] == "ok" else std_one,
             new_one[:1] if new_one[0] == "ok" else new_one)  # (a repr may raise: below)
        if std_one[0] == "ok":
            same(describe(std_one[1], names), describe(new_one[1], names))
            made.append((std_one[1], new_one[1]))
            for spec in specs:
                if not spec.kind.startswith("noinit"):
                    changes = {spec.name: data.draw(values)}
                    same(replaced(std_one[1], changes), replaced(new_one[1], changes))
    for (std_x, new_x) in made:
        for (std_y, new_y) in made:
            same(compared(std_x, std_y), compared(new_x, new_y))
            if compared(std_x, std_y)[:2] == ("ok", (True, False)) and not any(
                    spec.hash and not spec.compare for spec in specs):  # (hash as eq, unless
                # a field is hashed but not compared, which makes it so in both)
                assert outcome(partial(hash, new_x)) == outcome(partial(hash, new_y))


def construct(cls: type, call: Call) -> tuple[object, ...]:
    return outcome(lambda: cls(*call.args, **call.kwargs))


def replaced(instance: Any, changes: dict[str, object]) -> tuple[object, ...]:
    return outcome(lambda: repr(replace(instance, **changes)))


def compared(one: object, other: object) -> tuple[object, ...]:
    return outcome(lambda: (one == other, one != other))


def spec(name: str, kind: str = "required", default: object = None, **options: Any) -> FieldSpec:
    settings = {"compare": True, "repr": True, "hash": None, "kw_only": False, **options}
    return FieldSpec(name, kind, default, **settings)


def test_methods_are_compiled_once_a_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why ``frozen`` exists: the standard library compiles six methods for every frozen
    class (0.54 ms a class of 8 fields); ``frozen`` compiles ``__init__`` and ``__hash__``,
    once for every class of the same shape (the same kinds of fields, named otherwise)."""
    compiled: list[str] = []

    def counting_exec(text: str, *args: Any) -> None:
        compiled.append(text)
        exec(text, *args)
    monkeypatch.setattr(dataclasses, "exec", counting_exec, raising=False)
    monkeypatch.setattr(sys.modules["generator.frozen"], "exec", counting_exec, raising=False)
    _init_template.cache_clear()
    _hash_template.cache_clear()
    make_class([spec(name) for name in "abcdefgh"], STANDARD, STD_MODULE)
    assert len(compiled) == 6
    compiled.clear()
    made: Any = make_class([spec(name) for name in "abcdefgh"], frozen, NEW_MODULE)
    assert [re.findall(r"def (\w+)\(", text) for text in compiled] == [
        ["__create_fn__", "__init__"], ["__hash__"]]
    alike: Any = make_class([spec(name) for name in "stuvwxyz"], frozen, NEW_MODULE)
    assert len(compiled) == 2
    assert made(*range(8)) == made(*range(8)) and made(*range(8)).h == 7
    assert alike(*range(8)).z == 7 and str(inspect.signature(alike)) == (
        "(s: 'object', t: 'object', u: 'object', v: 'object', w: 'object', x: 'object', "
        "y: 'object', z: 'object') -> None")
    assert repr(alike(*range(8))) == "Holder.Shape(s=0, t=1, u=2, v=3, w=4, x=5, y=6, z=7)"
    assert made.__init__.__code__ is not alike.__init__.__code__


def test_equal_only_to_the_same_class() -> None:
    made = make_class([spec("a")], frozen, NEW_MODULE)
    sub = type("Sub", (made,), {"__module__": NEW_MODULE.__name__})
    assert made(1) == made(1) and made(1) != made(2)
    assert made(1).__eq__(sub(1)) is NotImplemented and made(1) != sub(1)
    assert made(1).__eq__((1,)) is NotImplemented


def test_a_factory_makes_a_value_per_record() -> None:
    specs = [spec("items", "factory"), spec("later", "noinit_factory")]
    namespace_fields = {"items": field(default_factory=list),
                        "later": field(default_factory=list, init=False)}
    for decorate, module in ((STANDARD, STD_MODULE), (frozen, NEW_MODULE)):
        made: Any = make_class(specs, decorate, module, extra=namespace_fields)
        one, two = made(), made()
        assert one.items == [] and one.items is not two.items
        assert one.later == [] and one.later is not two.later
        assert made([1]).items == [1]


def test_a_record_inside_itself_shows_as_dots() -> None:
    reprs = []
    for decorate, module in ((STANDARD, STD_MODULE), (frozen, NEW_MODULE)):
        made: Any = make_class([spec("items"), spec("n")], decorate, module)
        items: list[object] = []
        one = made(items, 1)
        items.append(one)
        reprs.append(repr(one))
    assert reprs == ["Holder.Shape(items=[...], n=1)"] * 2


def test_classes_it_does_not_cover_are_the_standard_librarys() -> None:
    """A class with a ``__post_init__``, a method ``frozen`` would make, an ``InitVar``, no
    docstring, a dataclass base, or a field named as ``__init__``'s names for the others'
    defaults, is made by the standard library: all work as theirs."""
    def post_init(self: Any) -> None:
        object.__setattr__(self, "b", self.a * 2)

    def own_repr(self: Any) -> str:
        return "mine"
    specs = [spec("a"), spec("b", "noinit_default", 0)]
    for shape, options in ((specs, {"extra": {"__post_init__": post_init}}),
                           (specs, {"extra": {"__repr__": own_repr}}), (specs, {"doc": None})):
        std, new = both(shape, **options)
        names = [each.name for each in shape]
        same(describe_class(std[1]), describe_class(new[1]))  # type: ignore[arg-type]
        same(describe(std[1](3), names), describe(new[1](3), names))  # type: ignore[operator]
    std, new = both([spec("_dflt_a", "default", tuple), spec("a", "factory")])
    same(construct(std[1], Call((list,), {})), construct(new[1], Call((list,), {})))  # type: ignore[arg-type]
    namespace: dict[str, Any] = {"__module__": NEW_MODULE.__name__, "__doc__": "Init var.",
                                 "__annotations__": {"a": int, "b": dataclasses.InitVar[int]}}
    with_init_var: Any = frozen(type("WithInitVar", (), namespace))
    assert with_init_var(1, 2).a == 1 and [each.name for each in fields(with_init_var)] == ["a"]


def test_records_inherit_from_records() -> None:
    base_specs = [spec("a"), spec("b", "default", 2)]
    std_base, new_base = (make_class(base_specs, STANDARD, STD_MODULE),
                          make_class(base_specs, frozen, NEW_MODULE))
    std_child = make_class([spec("c", "default", 3)], STANDARD, STD_MODULE, bases=(std_base,))
    new_child = make_class([spec("c", "default", 3)], frozen, NEW_MODULE, bases=(new_base,))
    same(describe_class(std_child), describe_class(new_child))
    same(describe(std_child(1), ["a", "b", "c"]), describe(new_child(1), ["a", "b", "c"]))
    assert new_child(1) != new_base(1, 2) and new_base(1) == new_base(1, 2)
    with pytest.raises(TypeError, match="cannot inherit non-frozen dataclass from a frozen one"):
        dataclass(type("Thawed", (new_base,), {"__annotations__": {"d": "int"}}))


def test_frozen_errors_name_the_field() -> None:
    made: Any = make_class([spec("a")], frozen, NEW_MODULE)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'a'"):
        made(1).a = 2
    with pytest.raises(FrozenInstanceError, match="cannot delete field 'a'"):
        del made(1).a


def test_kernels_make_records_as_their_init_does() -> None:
    specs = [spec("a"), spec("b", "default", 2), spec("c", "factory")]
    made: Any = make_class(specs, frozen, NEW_MODULE)
    assert kernels.maker(made)((1, 5, (3,))) == made(1, 5, (3,))
    assert kernels.plan_of(made) is not None or kernels.plan is None


def test_every_frozen_record_of_the_generator_is_made_by_frozen() -> None:
    """(The standard library's decorator costs a fresh process 0.4 ms more a class.)"""
    generator = Path(__file__).resolve().parent.parent / "generator"

    def slow() -> Iterator[str]:
        for path in sorted(generator.glob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if re.match(r"\s*@(dataclasses\.)?dataclass\(.*frozen=True", line) \
                        and "order=True" not in line:
                    yield f"{path.name}:{number}: {line.strip()}"
    assert list(slow()) == []


def test_a_field_without_a_default_after_one_with_is_the_same_error() -> None:
    std, new = both([spec("a", "default", 1), spec("b")])
    assert new == std == ("error", TypeError, "non-default argument 'b' follows default argument")
    std, new = both([spec("a", "default", 1), spec("b", kw_only=True)])
    assert std[0] == new[0] == "ok"
    same(describe_class(std[1]), describe_class(new[1]))  # type: ignore[arg-type]
