"""The portal's output on the example register is pinned: every generated page (its Markdown
source and its card), every published file (exports, kpis.json, chart data, assets), by SHA-256,
in ``tests/golden/example-tree.json``.

A refactor must leave the file unchanged. The digests hold for the versions of the libraries
that shape the output (recorded beside them); with other versions the test is skipped, saying
so. A change that means to alter the output updates the file
(``CIR_UPDATE_GOLDEN=1 pytest tests/test_golden.py``) and the diff of the JSON shows, in review,
exactly which pages and files it changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path

import pytest

from cir_portal.core.config import Project
from cir_portal.core.pipeline import load_register
from cir_portal.views.tree import build_tree

REPO_ROOT = Path(__file__).parents[1]
GOLDEN = Path(__file__).parent / "golden" / "example-tree.json"
#: A fixed date for the site (the content's own date would move with every commit of content/).
EPOCH = 1_790_000_000
#: Libraries whose output is part of the portal's: chart drawings, sanitised HTML, Markdown.
RENDERERS = ("vl-convert-python", "nh3", "markdown")


def _digest(data: str | bytes) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def example_tree_digests() -> dict[str, str]:
    result = load_register(Project(REPO_ROOT), use_cache=False)
    assert result.register is not None, [str(i) for i in result.issues]
    tree = build_tree(result.register, result.project, epoch=EPOCH)
    out = {f"page:{src}": _digest(page.source() + "\0" + page.heading + "\0" + page.card) for src, page in tree.pages.items()}
    out.update({f"file:{path}": _digest(data) for path, data in tree.files.items()})
    return dict(sorted(out.items()))


def test_the_example_output_is_the_pinned_one() -> None:
    now = example_tree_digests()
    versions = {name: version(name) for name in RENDERERS}
    if os.environ.get("CIR_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps({"versions": versions, "digests": now}, indent=1) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    if golden["versions"] != versions:
        pytest.skip(f"the pinned output was made with {golden['versions']}, this machine has {versions}")
    pinned = golden["digests"]
    changed = sorted(k for k in now.keys() & pinned.keys() if now[k] != pinned[k])
    added, removed = sorted(now.keys() - pinned.keys()), sorted(pinned.keys() - now.keys())
    assert not (changed or added or removed), (
        f"the example's output changed: {len(changed)} changed {changed[:10]}, {len(added)} new {added[:10]}, "
        f"{len(removed)} gone {removed[:10]}. If that is intended, run CIR_UPDATE_GOLDEN=1 pytest tests/test_golden.py "
        "and commit tests/golden/example-tree.json with the change.")
