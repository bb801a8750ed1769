"""The compiled inner loops (``generator/_kernels.c``), or None where they are not built.

Five loops take most of a large clean clustering's time, and each has a compiled twin
that runs the same floating-point operations in the same order (so the same results):

- ``dot``: :func:`generator.cluster_links.dot_vectors`;
- ``overlaps``: :func:`generator.cluster_links.passing_overlaps`;
- ``rank``: :func:`generator.related.rank_all`;
- ``join``: :func:`generator.cluster_join.decide_joins_python` (after a tuple of the
  constants it reads from the clustering modules);
- ``vectors``: :func:`generator.cluster_records.weigh_vectors_python` (after the weight
  of each code letter).

Three more take the Python out of loading front matter with libyaml (see
:mod:`generator.yamlio`), which calls back into Python for every node:

- ``resolve``: :func:`generator.yamlio.resolve_python` (after the implicit resolvers,
  the default tags, the scalar node class and a dict in which it keeps the tags of short
  plain scalars it has resolved, up to 20,000);
- ``construct``: :func:`generator.yaml_loaders.construct_plain_python` (after a tuple of the
  constants it reads);
- ``ignore``: does nothing, in place of the resolver's path hooks (a loader without path
  resolvers has nothing to do in them).

Two more make the site's many small frozen dataclass instances (stories' summaries,
articles, cache entries: tens of thousands loaded on every build):

- ``plan`` and ``make``: :func:`maker`, whose reference is ``cls(*values)``.

Four more make the site's articles (every build, 10,000 at 10,000 stories) and find
the article pages an edit can change:

- ``related_keys``: :func:`generator.model.related_keys_python`;
- ``heads``: :func:`generator.model.heads_python`;
- ``articles``: :func:`generator.model.articles_python` (after a ``plan`` of ``Article``);
- ``referring``: :func:`generator.relisting.referring_python`.

One more finds the output's files that changed since the last build (every build, 12,000
at 10,000 stories):

- ``changed``: :func:`generator.output.changed_files_python`.

One more, built apart because it links libyaml (``generator/_yamlfast.c``):

- ``load_yaml``: front matter from libyaml's events straight to Python values, or a
  ``fallback`` constant for anything :func:`generator.yamlio.load_yaml` leaves to PyYAML
  (after a tuple of the constants it reads).

The extensions are optional (``setup.py``): where one is not built, where it was built from
other sources (its ``VERSION`` is not :data:`VERSION`, or :data:`YAML_VERSION`: rebuild
with ``pip install -e .`` or ``python setup.py build_ext --inplace``), or where the
environment sets ``DIGEST_PURE_PYTHON`` to a non-empty value, its names below are None
and callers run their Python references.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from functools import partial
from typing import Any, TypeVar

Dot = Callable[[Mapping[str, float], Mapping[str, float]], float]
Overlaps = Callable[[list[Any], int, int, float], dict[int, float]]
Rank = Callable[[list[Any], dict[int, float], list[float], list[str], int, float, int, float],
                tuple[bytes, bytes, bytes]]
WeighVectors = Callable[[list[Any], Mapping[str, float], int],
                        list[tuple[dict[str, float], tuple[str, ...]]]]
Vectors = Callable[[dict[str, float], list[Any], Mapping[str, float], int],
                   list[tuple[dict[str, float], tuple[str, ...]]]]
DecideJoins = Callable[[list[int], dict[int, float], AbstractSet[int], list[Any], list[bool],
                        AbstractSet[int] | None, float, float],
                       tuple[list[int], list[bool], list[int]]]
Resolve = Callable[[dict[str, list[tuple[str, Any]]], dict[type, str], type, dict[str, str],
                    type, str | None, tuple[bool, bool]], str]
Construct = Callable[[tuple[Any, ...], Any, Any, int], Any]
LoadYaml = Callable[[tuple[Any, ...], str], Any]
Join = Callable[[tuple[Any, ...], list[int], dict[int, float], AbstractSet[int], list[Any],
                 list[bool], AbstractSet[int] | None, float, float],
                tuple[list[int], list[bool], list[int]]]


VERSION = 8
"""The version of ``generator/_kernels.c`` these names expect."""
YAML_VERSION = 2
"""The version of ``generator/_yamlfast.c`` ``load_yaml`` expects."""


def _load(name: str, version: int) -> Any:
    """The compiled module ``generator.<name>`` if it is built at ``version``, else None."""
    if os.environ.get("DIGEST_PURE_PYTHON"):
        return None
    try:
        compiled = importlib.import_module(f"generator.{name}")
    except ImportError:
        return None
    return compiled if getattr(compiled, "VERSION", None) == version else None


_compiled = _load("_kernels", VERSION)
_yaml = _load("_yamlfast", YAML_VERSION)
dot: Dot | None = _compiled.dot if _compiled else None
overlaps: Overlaps | None = _compiled.overlaps if _compiled else None
rank: Rank | None = _compiled.rank if _compiled else None
join: Join | None = _compiled.join if _compiled else None
vectors: Vectors | None = _compiled.vectors if _compiled else None
ignore: Callable[..., None] | None = _compiled.ignore if _compiled else None
resolve: Resolve | None = _compiled.resolve if _compiled else None
construct: Construct | None = _compiled.construct if _compiled else None
plan: Callable[[type, tuple[str, ...]], object] | None = _compiled.plan if _compiled else None
make: Callable[[object, Sequence[object]], Any] | None = _compiled.make if _compiled else None
related_keys: Callable[..., tuple[dict[str, str], dict[str, str]]] | None = \
    _compiled.related_keys if _compiled else None
heads: Callable[..., list[Any]] | None = _compiled.heads if _compiled else None
articles: Callable[..., tuple[Any, ...]] | None = _compiled.articles if _compiled else None
referring: Callable[..., list[Any]] | None = _compiled.referring if _compiled else None
changed: Callable[[int, Iterable[str], int], list[str]] | None = \
    _compiled.changed if _compiled else None
load_yaml: LoadYaml | None = _yaml.load if _yaml else None


T = TypeVar("T")


def maker(cls: type[T]) -> Callable[[Sequence[object]], T]:
    """A function that makes an instance of the frozen slots dataclass ``cls`` from the
    values of all its fields, in order (a tuple or a list): ``cls(*values)``. Compiled, it
    fills the slots in directly, which is the same where ``__init__`` only sets them (a
    class with its own slots, no ``__post_init__``, no field left out of ``__init__``):
    10,000 stories' summaries (20 fields) in 5-6 ms instead of 31-35. They, the cache
    entries and the articles are made again on every build after an edit."""
    made = plan_of(cls)
    if made is None or make is None:
        return partial(_made_by_the_class, cls, len(dataclasses.fields(cls)))  # type: ignore[arg-type]
    return partial(make, made)


def plan_of(cls: type) -> object | None:
    """The compiled ``plan`` with which ``make`` fills the slots of every field of the
    frozen slots dataclass ``cls``, in order; None where it is not built or where
    filling the slots would not be what ``cls(*values)`` does (see :func:`maker`)."""
    fields = dataclasses.fields(cls)
    if plan is None or "__slots__" not in vars(cls) \
            or hasattr(cls, "__post_init__") or not all(field.init for field in fields):
        return None
    return plan(cls, tuple(field.name for field in fields))


def _made_by_the_class(cls: type[T], count: int, values: Sequence[object]) -> T:
    """:func:`maker`'s reference (it too takes every field's value, no fewer)."""
    if len(values) != count:
        raise TypeError(f"{cls.__name__} takes {count} values, not {len(values)}")
    return cls(*values)

