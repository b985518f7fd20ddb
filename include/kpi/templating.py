"""The one Jinja2 set-up of the HTML (and inline SVG) the project writes: the report (kpi.report) and the
briefing (kpi.publications). Autoescape is on for every template, whatever its name: department names,
reasons and explanations are typed by department staff and must reach the page as text, never as markup.
Markup built elsewhere (a chart) enters a template only as markupsafe.Markup."""
from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import jinja2
from markupsafe import Markup


def _f1(v: float) -> str:
    """A coordinate of the SVG: one decimal, like every drawn point."""
    return f"{v:.1f}"


def _points(points: Iterable[tuple[float, float]]) -> str:
    """SVG points="x,y x,y …" of (x, y) pairs."""
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _thousands(n: int) -> str:
    return f"{n:,}"


@cache
def environment(package: str) -> jinja2.Environment:
    """The templates/ folder of `package`, shipped as package data (pyproject.toml: *.j2)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=(), default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(f1=_f1, points=_points, thousands=_thousands)
    return env


def render(package: str, template: str, **context) -> Markup:
    return Markup(environment(package).get_template(template).render(**context))
