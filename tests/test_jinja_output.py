"""Templates compiled by ``DigestEnvironment``: the text plain Jinja gives, every time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import DictLoader, Environment, StrictUndefined, UndefinedError
from markupsafe import Markup, escape

from generator.jinja_output import DigestEnvironment, escape_output


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
        "{{ value.real }}{{ value.text }}{{ value.upper }}{{ box.value }}{{ box.missing }}"
        "{{ box.inner.value }}{{ box['value'] }}{% set ns = namespace(v=value) %}{{ ns.v }}"
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
    box = {"value": value, "inner": {"value": value}}
    assert digest.get_template("page.html").render(value=value, box=box) == \
        plain.get_template("page.html").render(value=value, box=box)


class Counter:
    """Counts the calls of ``bump`` (a lookup must evaluate its object once)."""

    def __init__(self) -> None:
        self.calls = 0

    def bump(self) -> dict[str, int]:
        self.calls += 1
        return {"count": self.calls}


def test_a_lookup_evaluates_its_object_once_even_when_it_falls_back_to_the_item() -> None:
    env = DigestEnvironment(loader=DictLoader({"t.html": "{{ c.bump().count }}"}),
                            autoescape=True)
    counter = Counter()
    assert env.get_template("t.html").render(c=counter) == "1"
    assert counter.calls == 1


def test_the_compiled_output_goes_through_escape_output() -> None:
    _, digest = _environments()
    source = digest.compile(TEMPLATES["page.html"], raw=True)
    assert "environment.escape_output(" in source  # (a Jinja that stopped calling the
    # generator's hooks would still render right, only slower: this says so)


@pytest.mark.parametrize("text", ["{{ missing }}", "{{ box.missing }}", "{{ box.a.b }}"])
def test_an_undefined_value_still_fails_the_render(text: str) -> None:
    env = DigestEnvironment(loader=DictLoader({"t.html": text}), autoescape=True,
                            undefined=StrictUndefined)
    with pytest.raises(UndefinedError, match="missing|'a'"):
        env.get_template("t.html").render(box={})
