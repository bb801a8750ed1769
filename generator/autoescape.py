"""Autoescaped template output at a third of markupsafe's cost a value.

In an autoescaped template Jinja compiles ``{{ value }}`` to ``escape(value)``:
markupsafe's ``escape`` makes a ``Markup`` (its ``__new__`` is Python code), which the
template then only joins into its text: 0.64 us a value, and an article page outputs about
85 values, a topic page about 400. :class:`DigestEnvironment` compiles the same output to
``environment.escape_output(value)``, which gives the text ``str(escape(value))`` gives, as
a plain ``str``: markupsafe's own escaping of a string without the ``Markup`` around it
(0.17 us). Article pages rendered in 231 instead of 284 us, topic pages in 0.96 instead of
1.17 ms (best of five, 10,000 stories).

What a template marks safe, ``Markup`` and anything with ``__html__``, and every other
type, still goes through ``escape`` itself, so the output is the same text in every case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from jinja2 import Environment
from jinja2.compiler import CodeGenerator
from markupsafe import escape

if TYPE_CHECKING:
    from jinja2 import nodes
    from jinja2.compiler import Frame


def _escape_via_markup(text: str) -> str:
    return str(escape(text))


try:  # markupsafe's escaping of a ``str`` (what ``escape`` wraps in a ``Markup``)
    from markupsafe._speedups import _escape_inner as _escape_str  # C
except ImportError:  # pragma: no cover (a markupsafe without its compiled speedups)
    _escape_str = _escape_via_markup
_escape_text: Callable[[str], str] = _escape_str


def escape_output(value: object) -> str:
    """``str(markupsafe.escape(value))``, faster for the common ``str`` and ``int``."""
    kind = value.__class__
    if kind is str:
        return _escape_text(value)  # type: ignore[arg-type]
    if kind is int:
        return str(value)  # (digits and a sign: nothing to escape)
    return str(escape(value))  # Markup, __html__, Undefined (which raises), the rest


class _OutputCodeGenerator(CodeGenerator):
    """Jinja's code generator, writing autoescaped output through ``escape_output``."""

    def _output_child_pre(self, node: nodes.Expr, frame: Frame,
                          finalize: CodeGenerator._FinalizeInfo) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)


class DigestEnvironment(Environment):
    """A Jinja environment whose templates escape their output with ``escape_output``."""

    code_generator_class = _OutputCodeGenerator
    escape_output = staticmethod(escape_output)
