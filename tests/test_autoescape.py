"""Autoescaped output through ``escape_output``: the text plain Jinja gives, every time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, StrictUndefined, UndefinedError
from markupsafe import Markup, escape

from generator.autoescape import DigestEnvironment, escape_output


class Html:
    """Something that renders itself as HTML."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return f"<b>{self.text}</b>"


VALUES = st.one_of(
    st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(),
    st.text().map(Markup), st.text().map(Html), st.lists(st.text(), max_size=3),
)

TEMPLATES = {
    "page.html": (
        "{% import 'macros.html' as m %}"
        "<p title=\"{{ value }}\">{{ value }}|{{ value|e }}|{{ value|string }}</p>"
        "{{ m.card(value) }}"
        "{% call m.wrap() %}<i>{{ value }}</i>{% endcall %}"
        "{% filter upper %}{{ value }}<u>{% endfilter %}"
        "{% set block %}<s>{{ value }}</s>{% endset %}{{ block }}"
        "{% for item in [value, value] %}{{ item }}{{ loop.index }}{% endfor %}"
        "{% autoescape false %}{{ value }}{% endautoescape %}"
        "{{ (value ~ '<x>')|safe }}{{ value|trim if value is string else value }}"
    ),
    "macros.html": (
        "{% macro card(value) %}<a href=\"/{{ value }}\">{{ value }}</a>{% endmacro %}"
        "{% macro wrap() %}<div>{{ caller() }}</div>{% endmacro %}"
    ),
}


def _environments() -> tuple[Environment, Environment]:
    options = {"loader": DictLoader(TEMPLATES), "autoescape": True}
    return Environment(**options), DigestEnvironment(**options)


@given(VALUES)
def test_escape_output_is_the_text_of_markupsafes_escape(value: object) -> None:
    assert escape_output(value) == str(escape(value))
    assert type(escape_output(value)) is str


@given(VALUES)
def test_templates_render_as_with_plain_jinja(value: object) -> None:
    plain, digest = _environments()
    assert digest.get_template("page.html").render(value=value) == \
        plain.get_template("page.html").render(value=value)


def test_the_compiled_output_goes_through_escape_output() -> None:
    _, digest = _environments()
    source = digest.compile(TEMPLATES["page.html"], raw=True)
    assert "environment.escape_output(" in source  # (a Jinja that stopped calling the
    # generator's hook would still render right, only slower: this says so)


def test_an_undefined_value_still_fails_the_render() -> None:
    env = DigestEnvironment(loader=DictLoader({"t.html": "{{ missing }}"}), autoescape=True,
                            undefined=StrictUndefined)
    with pytest.raises(UndefinedError, match="missing"):
        env.get_template("t.html").render()
