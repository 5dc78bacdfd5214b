"""MaterialX (a fork of Material 9.7 with Pagefind search) can replace Material: the portal is
built with ``theme.name: materialx`` by the packages of the ``materialx`` extra.

MaterialX installs under the same ``material`` package name as mkdocs-material, so it gets an
environment of its own: a virtualenv holding the extra's packages, in front of the test
environment's (cir-portal and its libraries) so that MaterialX's ``material`` is the one
imported. It is kept in pytest's cache folder between runs; the test is skipped, saying why,
when the package index cannot provide it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from cirtest.engines import pages_of
from cirtest.site import REPO_ROOT, page_file, read_records

pytestmark = pytest.mark.slow


def _extra(name: str) -> list[str]:
    data = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    requirements: list[str] = data["project"]["optional-dependencies"][name]
    return requirements


@pytest.fixture(scope="session")
def materialx_python(request: pytest.FixtureRequest) -> Path:
    """The Python of an environment with the ``materialx`` extra in front of the test environment."""
    requirements = _extra("materialx")
    assert not any(r.startswith("mkdocs-material") and not r.startswith("mkdocs-materialx") for r in requirements)
    behind = sysconfig.get_paths()["purelib"]
    key = hashlib.sha256(json.dumps([requirements, behind, sys.version]).encode()).hexdigest()[:16]
    venv = Path(request.config.cache.mkdir("materialx-venv")) / key
    python = venv / "bin" / "python"
    if not (venv / "ready").is_file():
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
        purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                 check=True, capture_output=True, text=True).stdout.strip()
        Path(purelib, "zz_cir_portal_tests.pth").write_text(f"import site; site.addsitedir({behind!r})\n", encoding="utf-8")
        done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-compile",
                               *requirements], capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            tail = "\n".join(done.stderr.strip().splitlines()[-5:])
            pytest.skip(f"MaterialX ({' '.join(requirements)}) could not be installed: {tail}")
        (venv / "ready").write_text("ok\n", encoding="utf-8")
    return python


def test_materialx_builds_the_portal(materialx_python: Path, unseen_root: Path, tmp_path: Path) -> None:
    """With theme `materialx` every record has its page, the pages say MaterialX built them, and
    the portal's search index (Pagefind, as MaterialX's own search, which the portal leaves off) is there."""
    project = Path(shutil.copytree(unseen_root, tmp_path / "project"))
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "\n  name: material\n" in text
    config.write_text(text.replace("\n  name: material\n", "\n  name: materialx\n"), encoding="utf-8")
    site = tmp_path / "site"
    done = subprocess.run([str(materialx_python), "-m", "mkdocs", "build", "--strict", "-d", str(site)], cwd=project,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"},
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    found = subprocess.run([str(materialx_python), "-c", "import material; print(material.__file__)"],
                           capture_output=True, text=True, check=True).stdout
    assert str(materialx_python.parents[1]) in found, f"Material, not MaterialX, was imported: {found}"
    pages = pages_of(site)
    missing = [r.rel for r in read_records(project) if page_file(r.rel) not in pages]
    assert not missing, f"no page for {missing}"
    assert "mkdocs-materialx" in (site / "index.html").read_text(encoding="utf-8")
    assert (site / "pagefind" / "pagefind-entry.json").is_file(), "the portal's search index was not built"
    assert 'data-cir-search="box"' in (site / "index.html").read_text(encoding="utf-8"), "no search box in the header"
