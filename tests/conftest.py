"""Shared fixtures: small, fixed test projects built in temporary folders.

A test project is the repository's own ``workflow.yml``, ``portal.yml`` and ``schemas/``,
plus the fixed ``people.yml``, ``taxonomy.yml`` and base records kept in
``tests/cases/_base/`` (never the example register in ``content/``, which changes), with
the files a test needs laid over it.

Case folders may hold files that cannot be kept as plain UTF-8 text in git. Such a file is
stored as UTF-8 with an extra suffix naming how to write it (see ``TRANSFORMS``):
``IMP-0100-x.md.gbk`` is written to the project as ``IMP-0100-x.md`` encoded as GBK.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest

#: Debian's Chromium and watched browser contexts, for every folder of browser tests.
pytest_plugins = ["cirtest.chromium"]

REPO_ROOT = Path(__file__).parents[1]
CASES = Path(__file__).parent / "cases"
BASE = CASES / "_base"
#: Files of a case folder that describe the case rather than belong to the project.
CASE_META = frozenset({"expected.txt", "messages.txt", "README.md"})

Files = Mapping[str, "str | bytes | None"]


def _to_gbk(text: str) -> bytes:
    """What a Chinese Windows editor saves: GBK, CRLF line endings."""
    return text.replace("\n", "\r\n").encode("gbk")


def _to_bom_crlf(text: str) -> bytes:
    """What Notepad saves as "UTF-8 with BOM": a byte-order mark and CRLF line endings."""
    return b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")


#: Suffix of a case file -> how its UTF-8 text is turned into the bytes written.
TRANSFORMS: dict[str, Callable[[str], bytes]] = {".gbk": _to_gbk, ".bom-crlf": _to_bom_crlf}


def case_files(folder: Path) -> dict[str, bytes]:
    """The project files of a case folder, by path relative to the project root, as bytes."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or (path.parent == folder and path.name in CASE_META):
            continue
        rel = path.relative_to(folder).as_posix()
        transform = TRANSFORMS.get(path.suffix)
        if transform is not None:
            out[rel.removesuffix(path.suffix)] = transform(path.read_text(encoding="utf-8"))
        else:
            out[rel] = path.read_bytes()
    return out


def write_files(root: Path, files: Files) -> None:
    """Write (or, for a value of None, delete) files under ``root``."""
    for rel, content in files.items():
        target = root / rel
        if content is None:
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink(missing_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="\n")


def build_project(root: Path, files: Files | None = None) -> Path:
    """Create a valid base project at ``root`` and lay ``files`` over it. Returns ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    site_config = root / "site_config"
    site_config.mkdir(exist_ok=True)
    for name in ("workflow.yml", "portal.yml"):
        shutil.copyfile(REPO_ROOT / "site_config" / name, site_config / name)
    shutil.copytree(REPO_ROOT / "schemas", root / "schemas", dirs_exist_ok=True)
    shutil.copytree(BASE, root, dirs_exist_ok=True)
    write_files(root, files or {})
    return root


@pytest.fixture(scope="session")
def check_each_schema_once() -> Iterator[None]:
    """Check each distinct JSON Schema against the metaschema once per test session.

    ``check_schema`` is a pure function of the schema and takes ~90% of ``load_config``
    (~0.1 s a run); nearly every test loads the same eight schemas. Schemas that fail are
    checked every time, so errors are unchanged. Subprocess tests run the real thing.
    Requested by the project fixtures below, so it applies only to tests that use them.
    """
    cls = jsonschema.Draft202012Validator
    original = cls.check_schema.__func__  # type: ignore[attr-defined]
    passed: set[str] = set()

    def check_schema(klass: type, schema: Any, *args: Any, **kwargs: Any) -> None:
        key = json.dumps([schema, args, sorted(kwargs.items())], sort_keys=True, default=repr)
        if key not in passed:
            original(klass, schema, *args, **kwargs)
            passed.add(key)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(cls, "check_schema", classmethod(check_schema))
        yield


@pytest.fixture(scope="session")
def read_case() -> Callable[[Path], dict[str, bytes]]:
    """``case_files`` as a fixture: the project files of a case folder, as bytes."""
    return case_files


@pytest.fixture(scope="session")
def project_builder(check_each_schema_once: None) -> Callable[[Path, Files | None], Path]:
    """``build_project`` for fixtures of a wider scope than ``make_project``."""
    return build_project


@pytest.fixture
def make_project(tmp_path: Path, check_each_schema_once: None) -> Callable[..., Path]:
    """``make_project(files, name="project")``: a base project in ``tmp_path / name`` with ``files`` laid over it."""

    def make(files: Files | None = None, *, name: str = "project") -> Path:
        return build_project(tmp_path / name, files)

    return make
