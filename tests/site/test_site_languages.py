"""Both languages, complete: every UI string and every schema description exists in English and
Chinese; a portal built in English shows no Chinese UI text, one built in Chinese no English UI
text (record content aside); `cir new` writes its hints in the portal's language."""

from __future__ import annotations

import ast
import html.parser
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cirtest.english import make_english_project
from cirtest.site import REPO_ROOT, Build, mkdocs_build, run_cir

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
#: Attributes whose values a reader hears or sees (a screen reader reads aria-label and title).
READ_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-label")


class _Texts(html.parser.HTMLParser):
    """The texts of an HTML page a reader meets (text nodes and read attributes), outside scripts,
    styles and code (keys, commands), inside the element with class ``within`` only (all when empty)."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})

    def __init__(self, within: str = "") -> None:
        super().__init__()
        self.within, self.depth, self.skip = within, 0 if within else 1, 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if self.depth or self.within in classes:
            if tag not in self.VOID:
                self.depth += 1
            if tag in ("script", "style", "code"):
                self.skip += 1
            self.texts.extend(v.strip() for k, v in attrs if k in READ_ATTRIBUTES and v and v.strip())

    def handle_endtag(self, tag: str) -> None:
        if self.depth and (self.within or self.depth > 1):
            self.depth -= 1
        if tag in ("script", "style", "code") and self.skip:
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and not self.skip and data.strip():
            self.texts.append(" ".join(data.split()))


def texts_of(page: str, within: str = "") -> list[str]:
    parser = _Texts(within)
    parser.feed(page)
    return parser.texts


def _catalogue() -> dict[str, dict[str, str]]:
    import cir_portal.views  # noqa: F401  (every view registers its strings on import)
    from cir_portal.core.i18n import STRINGS

    return STRINGS


# --- the catalogue

def test_every_ui_string_has_english_and_chinese() -> None:
    from cir_portal.core.i18n import missing_languages

    strings = _catalogue()
    assert len(strings) > 300
    assert missing_languages(strings) == []


def test_a_string_without_a_translation_is_refused() -> None:
    from cir_portal.core.i18n import STRINGS, register_strings

    with pytest.raises(ValueError, match="new_label: zh"):
        register_strings({"new_label": {"en": "New label"}})
    with pytest.raises(ValueError, match="blank: en"):
        register_strings({"blank": {"en": " ", "zh": "空"}})
    assert "new_label" not in STRINGS and "blank" not in STRINGS


PACKAGE = REPO_ROOT / "plugins" / "cir_portal"


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _string_use(path: Path) -> tuple[set[str], set[str], set[str]]:
    """(UI keys the module looks up with a literal, keys it registers, package modules it imports)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    used: set[str] = set()
    registered: set[str] = set()
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0] if node.args else None
            if name in ("t", "word") and isinstance(first, ast.Constant) and isinstance(first.value, str):
                used.add(first.value)
            if name == "register_strings" and isinstance(first, ast.Dict):
                registered.update(k.value for k in first.keys if isinstance(k, ast.Constant))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cir_portal"):
            imported.add(node.module or "")
            imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names if alias.name.startswith("cir_portal"))
    return used, registered, imported


def test_every_module_finds_its_strings_whatever_was_imported_before() -> None:
    """A module looks up only keys of core/i18n.py or of modules it imports itself (directly or
    not): the catalogue it sees does not depend on what some other module happened to import
    first. (Keys built at run time, ``t(f"step_{n}")``, are covered by the rendering test below.)"""
    from cir_portal.core.i18n import STRINGS

    _catalogue()
    modules = {_module_of(p): _string_use(p) for p in sorted(PACKAGE.rglob("*.py"))}
    core = set(STRINGS) - {key for _, registered, _ in modules.values() for key in registered}

    def reachable(name: str) -> set[str]:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen or current not in modules:
                continue
            seen.add(current)
            todo.extend(modules[current][2])
        return seen

    problems = []
    for name, (used, _, _) in modules.items():
        known = core | {key for other in reachable(name) for key in modules[other][1]}
        problems.extend(f"{name}: t({key!r})" for key in sorted(used - known) if key in STRINGS)
        problems.extend(f"{name}: t({key!r}) is in no catalogue" for key in sorted(used - set(STRINGS)))
    assert problems == []


def test_every_schema_description_has_a_chinese_translation() -> None:
    """Each ``description`` of schemas/*.json has an ``x-description-zh`` beside it, in Chinese."""

    def walk(node: Any, where: str) -> Iterator[str]:
        if isinstance(node, dict):
            if isinstance(node.get("description"), str):
                zh = node.get("x-description-zh")
                if not (isinstance(zh, str) and CJK.search(zh)):
                    yield f"{where}: {node['description']!r}"
            for key, value in node.items():
                yield from walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, f"{where}/{i}")

    schemas = sorted((REPO_ROOT / "schemas").glob("*.json"))
    assert len(schemas) >= 8
    missing = [m for path in schemas for m in walk(json.loads(path.read_text(encoding="utf-8")), path.name)]
    assert missing == []


# --- rendering in each language

@pytest.fixture(scope="module")
def english_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """The all-English register built with ``language: en``."""
    root = tmp_path_factory.mktemp("english")
    build = mkdocs_build(make_english_project(root / "project"), root / "site")
    assert build.returncode == 0, build.log
    return build


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rendering_finds_every_string_it_looks_up(lang: str, tmp_path: Path) -> None:
    """Every page, card and chart of a register in either language looks up only strings the
    catalogue has, in that language (a missing one would show its key or fall back to English)."""
    from cir_portal.core import i18n
    from cir_portal.core.config import Project
    from cir_portal.core.pipeline import load_register
    from cir_portal.views.tree import build_tree

    project = make_english_project(tmp_path / "project")
    portal = project / "site_config" / "portal.yml"
    portal.write_text(portal.read_text(encoding="utf-8").replace("language: en", f"language: {lang}"), encoding="utf-8")
    result = load_register(Project(project), use_cache=False)
    assert result.register is not None and not result.errors
    i18n.MISSING.clear()
    i18n.UNTRANSLATED.clear()
    tree = build_tree(result.register, Project(project), epoch=1_767_225_600)
    assert len(tree.pages) > 40
    assert sorted(i18n.MISSING) == []
    assert sorted(i18n.UNTRANSLATED) == []


def test_english_portal_shows_no_chinese(english_build: Build) -> None:
    """Built with ``language: en`` from a register written in English, no page holds Chinese text,
    in the content, the theme's chrome or what a screen reader reads (aria-label, title, ...)."""
    found: dict[str, list[str]] = {}
    pages = sorted(english_build.site.rglob("*.html"))
    assert len(pages) > 40
    for path in pages:
        chinese = [t for t in texts_of(path.read_text(encoding="utf-8")) if CJK.search(t)]
        if chinese:
            found[path.relative_to(english_build.site).as_posix()] = chinese[:5]
    index = (english_build.site / "assets" / "cir" / "register-index.json").read_text(encoding="utf-8")
    assert not CJK.search(index), "the register's index (labels the browser shows) has Chinese"
    assert found == {}


def _english_ui_texts() -> set[str]:
    """The English texts of UI strings that differ from their Chinese ones, without placeholders:
    labels and sentences (a capital or a space; a lone lowercase word such as ``days`` is as
    likely a unit a record gives)."""
    return {texts["en"].strip() for texts in _catalogue().values()
            if texts["en"] != texts["zh"] and "{" not in texts["en"] and re.search(r"[A-Za-z]{3}", texts["en"])
            and re.search(r"[A-Z]|\s", texts["en"].strip())}


def test_chinese_portal_shows_no_english_ui_text(built: Build) -> None:
    """The example (``language: zh``): no text in the content area of a generated page, nor in a
    record's card, is the English text of a UI string; and the register's labels are Chinese."""
    english = _english_ui_texts()
    assert {"Status", "Owner", "Show all"} <= english
    found: dict[str, set[str]] = {}
    record_dirs = ("improvements/", "lessons/", "objectives/", "assessments/")
    pages = sorted(built.site.rglob("index.html"))
    for path in pages:
        rel = path.relative_to(built.site).as_posix()
        # record pages: the card only (their bodies are what contributors wrote, in any language)
        within = "cir-card" if rel.startswith(record_dirs) else "md-content"
        hits = set(texts_of(path.read_text(encoding="utf-8"), within)) & english
        if hits:
            found[rel] = hits
    assert found == {}
    register = texts_of((built.site / "register" / "index.html").read_text(encoding="utf-8"), "cir-register")
    zh = {texts["zh"] for texts in _catalogue().values()}
    for label in ("状态", "负责人", "紧急度", "提出日期", "上一页", "下一页"):
        assert label in zh and label in register, label


def test_cir_new_writes_hints_in_the_portal_language(tmp_path: Path, project_builder: Any) -> None:
    """The hint beside `value:` comes from the schema's description: Chinese in a Chinese portal,
    English in an English one."""
    for lang, expected in (("zh", "收益陈述"), ("en", "benefit statement")):
        project = project_builder(tmp_path / lang, None)
        portal = project / "site_config" / "portal.yml"
        portal.write_text(re.sub(r"(?m)^language: \w+", f"language: {lang}", portal.read_text(encoding="utf-8")),
                          encoding="utf-8")
        done = run_cir("new", "improvement", "Chat channel", "--requester", "li.na", "--affects", "service/email",
                       cwd=project)
        assert done.returncode == 0, done.stdout + done.stderr
        written = next((project / "content" / "improvements").glob("*chat-channel*.md")).read_text(encoding="utf-8")
        hint = next(line for line in written.splitlines() if line.startswith("# value:"))
        assert expected in hint, hint
        assert bool(CJK.search(hint)) == (lang == "zh"), hint
