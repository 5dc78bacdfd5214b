"""Pages as values: what a view hands an adapter.

A view says what a page is (its path, its title as plain text, its Markdown content, the
engine-neutral page settings) and, for a record's own page, the heading and card HTML that
go above the contributor's body. Adapters decide how their engine places them: the MkDocs
plugin adds generated pages as virtual files and puts a record's card into the rendered
page; ``cir render`` writes Markdown files with front matter for any other engine.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cir_portal.core.model import Record
from cir_portal.views.markup import esc


@dataclass(frozen=True)
class Page:
    """One page of the portal."""

    src_uri: str
    #: the page title as plain text (adapters escape it: themes print it unescaped)
    title: str
    #: Markdown (raw HTML blocks allowed); for a record page, the record's body
    content: str = ""
    #: page settings every Material-style engine reads from front matter (``hide``, ``search``)
    meta: Mapping[str, Any] = field(default_factory=dict)
    #: a record page's heading (HTML ``<h1>``), shown first
    heading: str = ""
    #: a record page's card (HTML), right after the heading; never parsed as Markdown
    card: str = ""
    #: the record whose own page this is (its file in content/ is the page's source)
    record: Record | None = None

    @property
    def generated(self) -> bool:
        """True for pages the portal makes (no Markdown file of the contributor's behind it)."""
        return self.record is None

    def yaml_header(self) -> str:
        """The page's title (escaped) and settings as YAML front matter."""
        return "---\n" + "".join(_yaml(key, value) for key, value in {"title": esc(self.title), **self.meta}.items()) + "---\n"

    def source(self) -> str:
        """The page as a Markdown file: front matter, then heading and card, then the content."""
        top = f"{self.heading}{self.card}\n\n" if self.heading or self.card else ""
        return f"{self.yaml_header()}\n{top}{self.content}"


def _yaml(key: str, value: Any, indent: str = "") -> str:
    """One front-matter entry. Strings are JSON-quoted (valid YAML whatever they hold)."""
    if isinstance(value, Mapping):
        return f"{indent}{key}:\n" + "".join(_yaml(k, v, indent + "  ") for k, v in value.items())
    if isinstance(value, bool):
        return f"{indent}{key}: {'true' if value else 'false'}\n"
    if isinstance(value, list | tuple):
        return f"{indent}{key}: [{', '.join(str(v) for v in value)}]\n"
    return f"{indent}{key}: {json.dumps(value, ensure_ascii=False)}\n"


def by_src(pages: Iterable[Page]) -> dict[str, Page]:
    """Pages keyed by their path."""
    return {page.src_uri: page for page in pages}
