"""Templates escape what they show exactly as MarkupSafe does (digest only does it faster)."""

from __future__ import annotations

from typing import Any

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
