"""Two builds of the same content are byte-identical, and the site is dated from the content
(SOURCE_DATE_EPOCH, else the last commit, else the records), never from the wall clock."""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cirtest.site import Build, RecordFile, build_all, git_commit_all, tree_digest

pytestmark = pytest.mark.slow

#: A fixed SOURCE_DATE_EPOCH far from any date of the content or the clock: 2009-02-13T23:31:30Z.
EPOCH = 1_234_567_890
#: The date of the single commit of a project kept in git (no SOURCE_DATE_EPOCH).
COMMIT_DATE = "2021-03-04T05:06:07Z"
ISO_DATE = re.compile(r"\b\d{4}-\d\d-\d\d\b")


def generated(site: Path) -> str:
    value: str = json.loads((site / "register.json").read_text(encoding="utf-8"))["generated"]
    return value


def lastmods(site: Path) -> set[str]:
    return set(re.findall(r"<lastmod>([^<]*)</lastmod>", (site / "sitemap.xml").read_text(encoding="utf-8")))


def in_git(path: Path) -> bool:
    done = subprocess.run(["git", "rev-parse", "--is-inside-work-tree"], cwd=path, capture_output=True, text=True,
                          check=False)
    return done.returncode == 0


@pytest.fixture(scope="module")
def dated_builds(tmp_path_factory: pytest.TempPathFactory, small_project: Callable[[Path], Path]) -> dict[str, Build]:
    """The small project built with SOURCE_DATE_EPOCH set, and built from a git repository without it."""
    root = tmp_path_factory.mktemp("dated")
    fixed = small_project(root / "epoch" / "project")
    committed = small_project(root / "git" / "project")
    git_commit_all(committed, COMMIT_DATE)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SOURCE_DATE_EPOCH", raising=False)
        epoch, git = build_all([(fixed, root / "epoch" / "site", {"SOURCE_DATE_EPOCH": str(EPOCH)}),
                                (committed, root / "git" / "site", None)])
    return {"epoch": epoch, "git": git}


def test_two_builds_of_the_same_content_are_byte_identical(example_builds: tuple[Build, Build]) -> None:
    """Two copies of the example in different folders build to the same files, byte for byte,
    the second holding every page's HTML compressed between MkDocs' two passes (as the build of
    a large register holds most of them) and making the record pages' cards in a forked process
    (as a large register's build does), the first neither; the first serving the navigation of
    record pages from its cache, the second rendering it for every page."""
    held = [re.search(r"(\d+) of (\d+) pages' HTML held compressed", b.log) for b in example_builds]
    assert held[0] is None, held[0]
    assert held[1] is not None and held[1][1] == held[1][2] and int(held[1][1]) > 60, example_builds[1].log[-2000:]
    forked = [re.search(r"record pages' cards: (\d+) made in another process, (\d+) here", b.log) for b in example_builds]
    assert forked[0] is None and forked[1] is not None, example_builds[1].log[-2000:]
    assert int(forked[1][1]) + int(forked[1][2]) > 60, forked[1][0]  # every record page, one way or the other
    first, second = (tree_digest(b.site) for b in example_builds)
    assert len(first) > 100
    differ = sorted(p for p in first.keys() & second.keys() if first[p] != second[p])
    only = sorted(first.keys() ^ second.keys())
    assert not differ and not only, f"files that differ: {differ[:20]}; files in one build only: {only[:20]}"


def test_without_source_date_epoch_outside_git_the_site_is_dated_from_the_records(
        built: Build, records: list[RecordFile]) -> None:
    """With no SOURCE_DATE_EPOCH and no commit to go by, `generated` is midnight of a date that
    the record files hold (not the time of the build), and the sitemap carries that date."""
    if in_git(built.project):
        pytest.skip("the temporary folder is inside a git work tree: the last commit dates the site")
    value = generated(built.site)
    dates = {d for r in records for d in ISO_DATE.findall(json.dumps(r.front_matter))}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", value), value
    assert value[:10] in dates, f"generated {value} is no date of the record files"
    assert lastmods(built.site) == {value[:10]}


def test_source_date_epoch_dates_the_site(dated_builds: dict[str, Build]) -> None:
    """With SOURCE_DATE_EPOCH set, `generated`, the sitemap and the views' "as of" date are that instant."""
    site = dated_builds["epoch"].site
    expected = datetime.fromtimestamp(EPOCH, UTC)
    assert generated(site) == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert lastmods(site) == {expected.date().isoformat()}
    governance = (site / "governance" / "index.html").read_text(encoding="utf-8")
    assert expected.date().isoformat() in governance


def test_the_last_commit_dates_the_site_without_source_date_epoch(dated_builds: dict[str, Build]) -> None:
    """Without SOURCE_DATE_EPOCH, a register kept in git is dated by its last commit."""
    site = dated_builds["git"].site
    assert generated(site) == COMMIT_DATE
    assert lastmods(site) == {COMMIT_DATE[:10]}

