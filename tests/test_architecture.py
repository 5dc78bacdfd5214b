"""The layout holds: imports go down the pipeline, no cycles, MkDocs only in its adapter,
views read typed records, and every chart the portal emits is valid Vega-Lite."""

from __future__ import annotations

import ast
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import altair
import jsonschema
import pytest

from cir_portal.core.config import Project
from cir_portal.core.model import RECORD_CLASSES
from cir_portal.core.pipeline import load_register
from cir_portal.views.tree import build_tree

PACKAGE = Path(__file__).resolve().parents[1] / "plugins" / "cir_portal"
#: What each layer may import from the package (besides itself and the package root).
ALLOWED = {
    "core": {"core"},
    "views": {"core", "views"},
    "authoring": {"core", "authoring"},
    "adapters": {"core", "views", "authoring", "adapters"},
}




def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[str]:
    """Every module a file imports: top level, inside functions, TYPE_CHECKING blocks, and
    ``importlib.import_module("...")`` with a literal name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = module_name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.args[0].value


def graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    out: dict[str, set[str]] = {}
    for name, path in files.items():
        out[name] = {target for target in imports(path) if target in files and target != name}
    return out


def test_the_import_graph_has_no_cycle() -> None:
    edges = graph()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                cycle = [*stack[stack.index(nxt):], nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_imports_go_down_the_pipeline() -> None:
    wrong = []
    for module, targets in graph().items():
        layer = module.split(".")[1] if module.count(".") else ""
        if layer not in ALLOWED:
            continue
        for target in targets:
            other = target.split(".")[1] if target.count(".") else ""
            if other and other not in ALLOWED[layer]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_only_the_mkdocs_adapter_imports_mkdocs_and_nothing_imports_by_name() -> None:
    engines = {"mkdocs", "material", "properdocs"}
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        found = {target.split(".")[0] for target in imports(path)}
        if found & engines and name != "cir_portal.adapters.mkdocs_plugin":
            offenders.append(f"{name}: {sorted(found & engines)}")
        if "importlib" in found and "resources" not in path.read_text(encoding="utf-8"):
            offenders.append(f"{name}: importlib")
    assert not offenders, offenders


def test_views_read_typed_records() -> None:
    """Records have no dict-style access, so mypy (tests/test_code_quality.py) rejects any view
    that indexes front matter by string; the front matter as written is read by the exports only."""
    for cls in RECORD_CLASSES.values():
        assert not hasattr(cls, "get") and not hasattr(cls, "__getitem__"), cls
    for path in (PACKAGE / "views").glob("*.py"):
        if path.name != "exports.py":
            assert ".front_matter" not in path.read_text(encoding="utf-8"), path.name


def vega_lite_validator() -> jsonschema.Draft7Validator:
    schema = json.loads((Path(altair.__file__).parent / "vegalite" / "v6" / "schema" / "vega-lite-schema.json")
                        .read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def test_every_chart_spec_is_valid_vega_lite() -> None:
    result = load_register(Project(PACKAGE.parents[1]), use_cache=False)  # the example register, read only
    assert result.register is not None
    tree = build_tree(result.register, result.project, epoch=1_790_000_000)
    specs = [(page.src_uri, json.loads(html.unescape(raw)))
             for page in tree.pages.values() for raw in re.findall(r'data-vega-spec="([^"]*)"', page.content + page.card)]
    kinds = {src.split("/")[0] for src, _ in specs}
    assert {"improvements", "objectives", "dashboard.md", "priorities.md", "maturity.md"} <= kinds, kinds
    validator = vega_lite_validator()
    invalid = [f"{src}: {error.message[:200]}" for src, spec in specs for error in validator.iter_errors(spec)]
    assert not invalid, invalid
