"""YAML loading: safe, fast (libyaml when present), with line numbers on errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

try:  # libyaml's C parser is ~10x faster; fall back to pure Python when absent
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[misc,valid-type]
    """A safe loader that leaves timestamps as strings: ``validate`` parses dates
    itself, so that an impossible date is a diagnostic for one field, not a crash."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class YamlProblem(Exception):
    """YAML that cannot be loaded."""

    problem: str
    """What the parser said."""
    line: int | None = None
    """1-based line within the YAML text."""

    def __str__(self) -> str:
        return self.problem


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely; raise ``YamlProblem`` with the line on failure."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlProblem(str(exc.problem or exc.context or "invalid YAML"), line) from None
    except yaml.YAMLError as exc:
        raise YamlProblem(str(exc)) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor refused a value
        raise YamlProblem(f"unreadable value: {exc}") from None
    except RecursionError:
        raise YamlProblem("the YAML is nested too deeply") from None
