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

The extension is optional (``setup.py``): where it is not built, where it was built from
other sources (its ``VERSION`` is not :data:`VERSION`: rebuild it with ``pip install -e .``
or ``python setup.py build_ext --inplace``), or where the environment sets
``DIGEST_PURE_PYTHON`` to a non-empty value, the names below are None and callers run
their Python references.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

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
Join = Callable[[tuple[Any, ...], list[int], dict[int, float], AbstractSet[int], list[Any],
                 list[bool], AbstractSet[int] | None, float, float],
                tuple[list[int], list[bool], list[int]]]


VERSION = 2
"""The version of ``generator/_kernels.c`` these names expect."""


def _load() -> tuple[Dot | None, Overlaps | None, Rank | None, Join | None, Vectors | None]:
    """The compiled functions, or Nones."""
    if os.environ.get("DIGEST_PURE_PYTHON"):
        return None, None, None, None, None
    try:
        from generator import _kernels
    except ImportError:
        return None, None, None, None, None
    if getattr(_kernels, "VERSION", None) != VERSION:
        return None, None, None, None, None
    return _kernels.dot, _kernels.overlaps, _kernels.rank, _kernels.join, _kernels.vectors


dot, overlaps, rank, join, vectors = _load()
