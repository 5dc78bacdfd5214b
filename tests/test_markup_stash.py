"""stash_html_blocks takes raw HTML out of generated pages' Markdown so that Python-Markdown
does not re-parse it; the page Markdown then renders exactly as it would have."""

from __future__ import annotations

import random
import re
from pathlib import Path

import markdown
import pytest

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views.markup import _paragraphs, stash_html_blocks, unstash_html_blocks
from cir_portal.views.tree import build_tree
from cirtest.site import copy_project

EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc"]  # as mkdocs.yml


def render(text: str) -> tuple[str, str]:
    md = markdown.Markdown(extensions=EXTENSIONS)
    html = md.convert(text)
    return html, md.toc  # type: ignore[attr-defined]


def render_stashed(text: str) -> tuple[str, str]:
    stashed, blocks = stash_html_blocks(text)
    html, toc = render(stashed)
    return unstash_html_blocks(html, blocks), toc


@pytest.mark.parametrize("text, taken", [
    ("# T\n\n<div class=\"a\"><div>x</div></div>\n\nafter\n", 1),
    ("<p class=\"n\">1</p>\n<div>2</div>\n<table><tr><td>3</td></tr></table>\n", 3),  # one chunk, three blocks
    ("<div>open\n\n</div>\n", 0),                    # a blank line inside: two chunks, neither balanced
    ("<div>a</div> tail\n", 0),                     # text after the closing tag
    ("<span>inline</span>\n", 0),                   # not a block-level tag: Markdown wraps it in <p>
    ("<div markdown=\"1\">**md**</div>\n", 0),      # asks for Markdown inside
    ("```html\n\n<div>code</div>\n\n```\n\n<div>real</div>\n", 1),  # HTML in a fenced block is text
    ("<section><div>a</div><div>b</div></section>\n\n## H\n\n<ul><li>x</li></ul>\n", 2),
])
def test_blocks_taken_and_output_unchanged(text: str, taken: int) -> None:
    """Exactly the blocks Markdown would pass through are taken, and the HTML and TOC are the same."""
    assert len(stash_html_blocks(text)[1]) == taken
    assert render_stashed(text) == render(text)


def test_every_generated_page_of_the_example_renders_the_same(tmp_path: Path) -> None:
    """On every generated page of the example register the stashed Markdown renders identically,
    and nearly all of its HTML is kept away from Markdown."""
    result = load_register(Project(copy_project(tmp_path / "example")), use_cache=False)
    assert result.register is not None
    tree = build_tree(result.register, result.project, epoch=1_790_000_000)
    total = left = 0
    for page in tree.generated():
        text = page.source()
        assert render_stashed(text) == render(text), page.src_uri
        total += len(text)
        left += len(stash_html_blocks(text)[0])
    assert left < total / 10


def test_paragraphs_split_as_the_regular_expression_does() -> None:
    """The pages are cut at blank lines by ``str.find``, exactly where ``re.split`` cut them."""
    rng = random.Random(7)
    pieces = ["\n", "\n\n", "\n\n\n", "a", "<div>", " ", "x\n", "```\n"]
    texts = ["", "\n", "\n\n", "a\n\nb", "\n\n\na\n\n"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(3000)]
    for text in texts:
        assert _paragraphs(text) == re.split(r"(\n{2,})", text), repr(text)

