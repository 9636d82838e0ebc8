"""The publisher's templates: attribution, disclaimer, teasers and the page layout.

Templates are Jinja2, sandboxed and autoescaped: the publisher controls them,
but the values they show (titles, authors, teaser text) come from strangers'
pages. Each template sees ``article``, ``source`` and ``publisher``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Protocol

from dateutil import parser as dateparser
from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

# config key -> bundled default file
TEMPLATE_FILES = {
    "attribution_template": "attribution.html.j2",
    "disclaimer_template": "disclaimer.html.j2",
    "teaser_template": "teasers.html.j2",
    "republish_template": "republish.html.j2",
}
_TRAILING_ELLIPSIS = re.compile(r"\s*(\[\s*(…|\.\.\.)\s*\]|…|\.\.\.)\s*$")


class TemplateProblem(Exception):
    """A template does not compile or fails on a sample article."""


class PublisherSettings(Protocol):
    """What the templates read of the publisher: ``[publisher]``, which
    :class:`syndicator.config.Publisher` is. Described here rather than imported,
    because the config imports this module to check the templates as it loads."""

    @property
    def attribution_template(self) -> str | None: ...
    @property
    def disclaimer_template(self) -> str | None: ...
    @property
    def teaser_template(self) -> str | None: ...
    @property
    def republish_template(self) -> str | None: ...

    def model_dump(self, *, mode: str) -> dict[str, Any]:
        """The whole table, as the templates' ``publisher``."""


def format_date(value: str | None, fmt: str = "%B %-d, %Y") -> str:
    """``2026-11-18T14:15:00+00:00`` -> ``November 18, 2026``."""
    if not value:
        return ""
    return dateparser.isoparse(value).strftime(fmt)


def first_words(text: str | None, count: int = 30) -> str:
    """The first ``count`` words, without any ellipsis the source put there:
    the template adds its own "[…]"."""
    words = (text or "").split()
    cut = " ".join(words[:count])
    while True:  # "word… …" or "word...," end in an ellipsis again after one pass
        trimmed = _TRAILING_ELLIPSIS.sub("", cut).rstrip(" ,;:-–—")
        if trimmed == cut:
            return cut
        cut = trimmed


def _environment() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=True, undefined=StrictUndefined)
    env.filters["date"] = format_date
    env.filters["first_words"] = first_words
    return env


def default_template(key: str) -> str:
    return resources.files(__package__).joinpath(TEMPLATE_FILES[key]).read_text("utf-8")


@dataclass
class RenderedParts:
    attribution: str
    disclaimer: str
    teasers: str
    page: str


class Templates:
    """The four compiled templates of one publisher."""

    def __init__(self, publisher: PublisherSettings):
        env = _environment()
        self.publisher = publisher
        self._compiled = {}
        for key in TEMPLATE_FILES:
            text = getattr(publisher, key) or default_template(key)
            try:
                self._compiled[key] = env.from_string(text)
            except TemplateSyntaxError as exc:
                raise TemplateProblem(
                    f"publisher.{key}: template error on line {exc.lineno}: {exc.message}"
                ) from None

    def render(self, article: dict[str, Any], source: dict[str, Any]) -> RenderedParts:
        publisher = self.publisher.model_dump(mode="json")
        # every teaser has the start of its story, empty when it is not in the store
        teasers = [{"story_start": "", **t} for t in article.get("teasers") or []]
        article = {**article, "teasers": teasers}
        context = {"article": article, "source": source, "publisher": publisher}
        parts = {}
        for key in ("attribution_template", "disclaimer_template", "teaser_template"):
            parts[key] = self._render(key, teasers=teasers, **context)
        page = self._render(
            "republish_template",
            body=Markup(article.get("body_html") or ""),
            attribution=Markup(parts["attribution_template"]),
            disclaimer=Markup(parts["disclaimer_template"]),
            teasers=Markup(parts["teaser_template"]),
            **context,
        )
        return RenderedParts(
            attribution=parts["attribution_template"],
            disclaimer=parts["disclaimer_template"],
            teasers=parts["teaser_template"],
            page=page,
        )

    def _render(self, key: str, **context: Any) -> str:
        try:
            return self._compiled[key].render(**context).strip()
        except TemplateError as exc:
            raise TemplateProblem(f"publisher.{key}: {exc}") from None


SAMPLE_ARTICLE: dict[str, Any] = {
    "id": "0123456789abcdef",
    "url": "https://news.example.org/2026/11/sample/",
    "canonical_url": "https://news.example.org/2026/11/sample/",
    "title": "Sample headline",
    "author": "A. Writer",
    "published_at": "2026-11-18T14:15:00+00:00",
    "modified_at": "2026-11-18T15:00:00+00:00",
    "language": "en",
    "image_url": None,
    "tags": ["Sample"],
    "body_html": "<p>Body.</p>",
    "body_text": "Body.",
    "teasers": [
        {
            "position": 0,
            "title": "Other story",
            "url": "https://news.example.org/other/",
            "excerpt": "The first words of another story",
            "image_url": None,
            "story_start": "",
        },
    ],
}


def check_templates(publisher: PublisherSettings) -> None:
    """Compile the publisher's templates and render them once with a sample article,
    so a typo in a variable name stops ``syndicator`` at start-up, not mid-crawl."""
    templates = Templates(publisher)
    # a source with a licence and one without: a template must take both
    licence = {"name": "CC BY-ND 4.0", "url": "https://creativecommons.org/licenses/by-nd/4.0/"}
    for shown in (licence, None):
        templates.render(SAMPLE_ARTICLE, {"name": "sample", "title": "Sample", "licence": shown})
