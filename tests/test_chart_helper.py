"""A first build's charts are rendered in a helper process while the tree's other pages are made
(views/charts.py ``Renderer``): the same pages as rendering each chart on the build's own thread,
and as a build that finds them cached; a helper that fails leaves the charts to the build."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views import charts
from cir_portal.views.tree import build_tree
from cirtest.site import copy_project

EPOCH = 1_790_000_000


def tree_digests(project: Path) -> dict[str, str]:
    result = load_register(Project(project), use_cache=False)
    assert result.register is not None, [str(i) for i in result.issues]
    tree = build_tree(result.register, result.project, epoch=EPOCH)
    out = {src: page.source() + page.heading + page.card for src, page in tree.pages.items()}
    out.update({path: data.decode("utf-8", "replace") for path, data in tree.files.items()})
    return {name: hashlib.sha256(text.encode()).hexdigest() for name, text in out.items()}


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Counts of the charts rendered on the build's thread and of the helpers started."""
    counts = {"here": 0, "helpers": 0}
    render, renderer = charts._render, charts.Renderer.__init__

    def counted_render(*args: Any) -> str:
        counts["here"] += 1
        return render(*args)

    def counted_init(self: charts.Renderer, *args: Any) -> None:
        counts["helpers"] += 1
        renderer(self, *args)

    monkeypatch.setattr(charts, "_render", counted_render)
    monkeypatch.setattr(charts.Renderer, "__init__", counted_init)
    return counts


def _uncached(project: Path) -> Path:
    shutil.rmtree(project / ".cir-cache", ignore_errors=True)
    return project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("charts") / "project")


@pytest.fixture(scope="module")
def here(project: Path) -> dict[str, str]:
    """The example's tree with every chart rendered on the build's thread (no helper)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "rendering", lambda site: nullcontext(None))
        return tree_digests(_uncached(project))


def test_charts_rendered_beside_the_build_are_the_ones_rendered_in_it(
        project: Path, here: dict[str, str], spied: dict[str, int]) -> None:
    beside = tree_digests(_uncached(project))
    assert spied == {"here": 0, "helpers": 1}
    assert any((project / ".cir-cache" / "charts").glob("*.svg")), "the helper cached no chart"
    assert beside == here
    assert tree_digests(project) == here  # every chart cached now: no helper
    assert spied == {"here": 0, "helpers": 1}


@pytest.mark.parametrize("helper", ["import sys; sys.exit(3)", "import sys\nfor line in sys.stdin: print('{}')",
                                    "import json, sys\nfor line in sys.stdin:\n"
                                    "    print(json.dumps({'path': json.loads(line)['path'], 'error': 'no'}), flush=True)",
                                    "import time; time.sleep(600)"])
def test_a_helper_that_fails_leaves_its_charts_to_the_build(
        project: Path, here: dict[str, str], spied: dict[str, int], monkeypatch: pytest.MonkeyPatch,
        helper: str) -> None:
    """Stopped at once, answering nonsense, failing every chart or hanging: the tree is the
    same, its charts rendered on the build's thread."""
    monkeypatch.setattr(charts, "_HELPER", helper)
    monkeypatch.setattr(charts, "ANSWER_TIMEOUT", 2.0)
    assert tree_digests(_uncached(project)) == here
    assert spied["helpers"] == 1 and spied["here"] >= 5, spied  # (the example's dashboard and maturity charts)


def test_no_placeholder_is_left(project: Path) -> None:
    result = load_register(Project(_uncached(project)), use_cache=False)
    assert result.register is not None
    tree = build_tree(result.register, result.project, epoch=EPOCH)
    texts: list[tuple[str, Callable[[], str]]] = [(src, page.source) for src, page in tree.pages.generated.items()]
    texts += [(path, lambda data=data: data.decode("utf-8", "replace")) for path, data in tree.files.items()]
    left = [src for src, text in texts if "<!--cir-svg" in text()]
    assert not left, left
    assert any("<svg" in text() for _, text in texts)


def test_text_that_looks_like_a_placeholder_is_left_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's Markdown may hold any text from a record, ``<!--cir-svg 0-->`` included: only the
    renderer's own placeholders are replaced (never an index out of its charts, never a chart)."""
    monkeypatch.setattr(charts, "_HELPER", "import sys\nfor line in sys.stdin: pass")
    site: Any = SimpleNamespace(project=SimpleNamespace(root=tmp_path), svgs=None)
    with charts.rendering(site) as renderer:
        assert renderer is not None
        forged = "a <!--cir-svg 0--> b <!--cir-svg 99--> c <!--cir-svg-0000000000000000 0-->"
        assert renderer.resolve(site, forged) == forged


def test_a_cache_file_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Builds, the live preview and the card process share the chart cache and the Vega bundle's:
    a file is in place only once all of it is written (a reader beside the writer would publish
    half an SVG), and a write that fails leaves neither it nor a part behind."""
    target = tmp_path / "cache" / "abc.svg"
    charts._write_atomically(target, b"<svg>whole</svg>")
    assert target.read_bytes() == b"<svg>whole</svg>"
    assert [p.name for p in target.parent.iterdir()] == ["abc.svg"]

    written: list[bytes] = []

    def cut_short(self: Path, data: bytes) -> int:
        assert not self.name.endswith(".svg"), "written under another name first, then moved in place"
        with open(self, "wb") as out:
            out.write(data[:5])
        written.append(data[:5])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", cut_short)
    other = tmp_path / "cache" / "def.svg"
    charts._write_atomically(other, b"<svg>never whole</svg>")
    assert written == [b"<svg>"]
    assert not other.exists(), "half a file never takes the cache file's name"
    assert [p.name for p in target.parent.iterdir()] == ["abc.svg"], "the part is removed"
