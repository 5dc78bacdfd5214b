"""A real ``mkdocs build --strict`` of the example project: the measured-improvement pages,
kpis.json and the record charts reach the built site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cirtest.measures import EXAMPLE_AS_OF, copy_example, epoch_of


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    project = copy_example(tmp_path / "project")
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": str(epoch_of(EXAMPLE_AS_OF))}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(site)], cwd=project,
                         env=env, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    dashboard = (site / "dashboard" / "index.html").read_text(encoding="utf-8")
    assert "(N + C) / (O + C)" in dashboard and 'data-vega-spec="' in dashboard
    assert 'href="../priorities/"' in dashboard and 'href="../reports/"' in dashboard  # in the navigation
    assert "assets/cir/measures.css" in dashboard
    assert (site / "priorities" / "index.html").is_file()
    reports = sorted(p.parent.name for p in (site / "reports").glob("*/index.html"))
    assert reports and all(len(k) == 7 for k in reports)  # YYYY-MM and YYYY-Qn
    data = json.loads((site / "kpis.json").read_text(encoding="utf-8"))
    assert data["as_of"] == EXAMPLE_AS_OF
    assert sorted(data["periods"]) == sorted(reports)
    record = next((site / "improvements").glob("IMP-0001*/index.html")).read_text(encoding="utf-8")
    start = record.index('<svg xmlns="http://www.w3.org/2000/svg" class="cir-metric-svg"')
    ET.fromstring(record[start:record.index("</svg>", start) + 6])
    assert "cir-priority-part" in record and "cir-verdict--" in record
    index = json.loads((site / "assets" / "cir" / "register-index.json").read_text(encoding="utf-8"))
    assert "priority" in index["columns"]
