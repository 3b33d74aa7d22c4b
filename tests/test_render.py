"""Templates escape what they show exactly as MarkupSafe does (digest only does it faster)."""

from __future__ import annotations

from typing import Any

import jinja2
import markupsafe
import pytest

from digest.config import load_config
from digest.render import escape, make_environment
from tests.conftest import FIXTURE


class _Safe:
    def __html__(self) -> str:
        return "<b>safe</b>"


class _Text(str):
    pass


@pytest.mark.parametrize("value", [
    "", "plain", "<a href=\"x\">Tom & 'Jerry'</a>", "&amp; already", "مرحبا <عالم>",
    markupsafe.Markup("<i>kept</i>"), _Text("<sub>class</sub>"), _Safe(), 42, 1.5, None,
])
def test_escape_gives_markupsafes_result(value: Any) -> None:
    escaped = escape(value)
    assert type(escaped) is markupsafe.Markup
    assert escaped == markupsafe.escape(value)


def test_templates_escape_with_it() -> None:
    environment = make_environment(load_config(FIXTURE))
    template = environment.from_string("<p>{{ text }}</p>{{ safe }}")
    assert template.render(text="5 < 6 & \"x\"", safe=markupsafe.Markup("<br>")) == (
        "<p>5 &lt; 6 &amp; &#34;x&#34;</p><br>")
    assert template.root_render_func.__globals__["escape"] is escape


def test_macros_and_functions_are_called_as_jinja_calls_them() -> None:
    """digest's environment calls macros without Jinja's look at what they want passed in;
    whatever a template calls gives what it gives with a stock environment."""
    source = (
        "{% macro item(name, level=2, label=none) %}<h{{ level }}>{{ name }}"
        "{{ label or '' }}{{ caller() if caller is defined }}</h{{ level }}>{% endmacro %}"
        "{% for n in names %}{{ item(n) }}{{ item(n, 3, label=' (x)') }}{% endfor %}"
        "{% call item('with caller') %}<b>called</b>{% endcall %}"
        "{{ page() }} {{ where(3) }}{% set comma = joiner(',') %}"
        "{% for n in names %}{{ comma() }}{{ n }}{% endfor %}")

    @jinja2.pass_context
    def page(context: jinja2.runtime.Context) -> str:
        return str(context.get("title"))

    @jinja2.pass_environment
    def where(environment: jinja2.Environment, number: int) -> str:
        return f"{type(environment).__name__} {number}"

    values = {"names": ["A & B", "<C>"], "title": "T", "page": page, "where": where}
    ours = make_environment(load_config(FIXTURE))
    stock = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    assert ours.context_class is not stock.context_class
    rendered = ours.from_string(source).render(values)
    assert rendered == stock.from_string(source).render(values)
    assert "<h3>A &amp; B (x)</h3>" in rendered and "<b>called</b></h2>" in rendered
