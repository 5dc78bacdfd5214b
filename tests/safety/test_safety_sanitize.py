"""Record bodies are sanitised (unless portal.yml trusts them) and every generated page has an
escaped title."""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views.sanitize import clean_html, clean_markdown, safe_url
from cir_portal.views.tree import build_tree
from cirtest.safety import improvement, run, set_publish

MakeProject = Callable[..., Path]
EXTENSIONS = ["admonition", "attr_list", "md_in_html", "tables", "toc"]
HOSTILE_BODY = """\
## Background

<script>alert('script')</script>
<img src=x onerror="alert('img')"> <img src="chart.png" alt="a chart">
<iframe src="javascript:alert('iframe')"></iframe>
<form action="https://evil.example"><input name=q></form>
<style>body{background:url(https://evil.example/leak)}</style>
<a href="javascript:alert('a')">a</a> <a href="https://example.org/ok" title="t">ok</a>
[md link](javascript:alert('md')) [entity](&#106;avascript:alert('entity')) [data](data:text/html,x)
![pic](javascript:alert('pic')) [relative](../lessons/LL-0001-pilot-first.md)
Paragraph with attributes
{: onclick="alert('attr')" }

<details><summary>More</summary>

Inside **details**.

</details>

!!! note "Kept"
    An admonition.

| a | b |
|---|---|
| 1 | 2 |

`<script>alert('code span')</script>`

```html
<script>alert('fenced')</script>
```
"""


class _Active(HTMLParser):
    """Elements and attributes of an HTML text that could run, load or send something."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "iframe", "form", "style", "object", "embed", "input"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"{tag} {name}")
            if name in ("href", "src", "action") and not safe_url(value or ""):
                self.found.append(f"{tag} {name}={value}")


def active(text: str) -> list[str]:
    parser = _Active()
    parser.feed(text)
    return parser.found


def test_safe_url() -> None:
    assert safe_url("https://x") and safe_url("../a.md") and safe_url("#top") and safe_url("mailto:a@b")
    assert not safe_url("javascript:x") and not safe_url(" JaVaScRiPt:x") and not safe_url("java\tscript:x")
    assert not safe_url("&#106;avascript:x") and not safe_url("data:text/html,x") and not safe_url("vbscript:x")


def test_clean_html_keeps_the_safe_subset() -> None:
    raw = markdown.markdown(HOSTILE_BODY, extensions=EXTENSIONS)
    assert len(active(raw)) >= 8  # what the sanitiser has to remove
    out = clean_html(raw)
    assert active(out) == [], out
    for kept in ('<img src="chart.png" alt="a chart">', '<a href="https://example.org/ok" title="t">ok</a>',
                 '<a href="../lessons/LL-0001-pilot-first.md">relative</a>', "<details>", "<summary>More</summary>",
                 '<div class="admonition note">', "<table>", "<h2 id=\"background\">"):
        assert kept in out, kept


def test_clean_markdown_makes_the_body_inert() -> None:
    cleaned = clean_markdown(HOSTILE_BODY)
    for extensions in (EXTENSIONS, [*EXTENSIONS, "fenced_code"]):
        out = markdown.markdown(cleaned, extensions=extensions)
        assert active(out) == [], out
    out = markdown.markdown(cleaned, extensions=EXTENSIONS)
    assert "`<script>alert('code span')</script>`" in cleaned
    assert '<img src="chart.png" alt="a chart">' in out and "<details>" in out
    assert '<div class="admonition note">' in out
    assert "&lt;script&gt;alert('script')" in out  # shown as text


def test_render_sanitises_bodies_unless_trusted(make_project: MakeProject, tmp_path: Path) -> None:
    files = {"content/improvements/IMP-0800-html.md": improvement("IMP-0800", "Raw HTML", body=HOSTILE_BODY)}
    root = make_project(files)
    out = tmp_path / "out"
    assert run("render", str(root), "--out", str(out)).exit_code == 0
    page = (out / "improvements" / "IMP-0800-html.md").read_text(encoding="utf-8")
    assert active(markdown.markdown(page, extensions=EXTENSIONS)) == []
    set_publish(root, "publish:\n  trusted_html: true\n")
    trusted = tmp_path / "trusted"
    assert run("render", str(root), "--out", str(trusted)).exit_code == 0
    assert "<script>alert('script')</script>" in (trusted / "improvements" / "IMP-0800-html.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("hostile", ["</title><script>alert(1)</script>", "<img src=x onerror=alert(1)>", "&lt;b&gt; & \\[x]"])
def test_every_generated_page_has_an_escaped_title(make_project: MakeProject, hostile: str) -> None:
    """A tag becomes the title of its page; every generated page's front matter holds its title escaped."""
    lesson = (Path(__file__).parents[1] / "cases" / "_base" / "content" / "lessons" / "LL-0001-pilot-first.md")
    text = lesson.read_text(encoding="utf-8").replace("tags: [self-service]", f"tags: [self-service, {json.dumps(hostile)}]")
    root = make_project({"content/lessons/LL-0001-pilot-first.md": text})
    result = load_register(Project(root), use_cache=False)
    assert result.register is not None and not result.errors, result.errors
    tree = build_tree(result.register, Project(root), epoch=0)
    generated = tree.generated()
    assert generated
    for page in generated:
        front = yaml.safe_load(page.source().split("---\n", 2)[1])
        title = front["title"]
        assert title and "<" not in title and ">" not in title, (page.src_uri, title)
        assert html.unescape(title) == page.title
    assert any(hostile in page.title for page in generated)
