from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any

VERSION: int

def dot(first: Mapping[str, float], second: Mapping[str, float], /) -> float: ...
def overlaps(signature: list[Any], stop: int, most: int, floor: float, /) -> dict[int, float]: ...
def rank(places: list[Any], gains: dict[int, float], times: list[float], keys: list[str],
         keep: int, term_weight: float, half: int, half_life_days: float, /
         ) -> tuple[bytes, bytes, bytes]: ...
def join(constants: tuple[Any, ...], codes: list[int], known: dict[int, float],
         same_url: AbstractSet[int], records: list[Any], touched: list[bool],
         joined: AbstractSet[int] | None, window_days: float, floor: float, /
         ) -> tuple[list[int], list[bool], list[int]]: ...
def vectors(weight_of_code: dict[str, float], raws: list[Any], idf: Mapping[str, float],
            count: int, /) -> list[tuple[dict[str, float], tuple[str, ...]]]: ...
