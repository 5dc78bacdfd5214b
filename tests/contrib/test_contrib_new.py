"""`cir new`: the next free id, a slug, minimal valid front matter with hints, the body template."""

from __future__ import annotations

from pathlib import Path

import pytest

from cir_portal.authoring.ids import IdAllocator, slugify
from cir_portal.authoring.yaml_text import scalar
from cir_portal.core.loading import parse_yaml, read_source
from cirtest.contrib import errors, first_id, git, git_init, issues_in, next_id, run

IMPROVEMENT = ("--requester", "li.na", "--affects", "service/email", "--date", "2026-03-01")


def _front(path: Path) -> dict[str, object]:
    src = read_source(path, path.name, "improvement")
    assert src.data is not None, src.issues
    return src.data


def test_new_improvement_is_valid_and_has_the_next_id(register: Path) -> None:
    before = errors(register)
    new_id = next_id(register, "improvements", "IMP")
    result = run("new", "improvement", "邮件归档自建", *IMPROVEMENT, "--tag", "快速见效", project=register)
    assert result.exit_code == 0, result.output
    rel = result.stdout.strip()
    assert rel.startswith(f"content/improvements/{new_id}-youjian-guidang")
    assert issues_in(register, rel) == []
    assert errors(register) == before
    data = _front(register / rel)
    assert data == {"id": new_id, "title": "邮件归档自建", "status": "identified", "raised": "2026-03-01",
                    "requester": "li.na", "source": "staff_idea", "affects": ["service/email"], "tags": ["快速见效"]}


def test_new_improvement_has_hints_and_the_portal_language_body(register: Path) -> None:
    new_id = next_id(register, "improvements", "IMP")
    rel = run("new", "improvement", "Archive mail", *IMPROVEMENT, project=register).stdout.strip()
    text = (register / rel).read_text(encoding="utf-8")
    assert "# site_config/people.yml 中的人员标识" in text  # requester hint, in the portal language (zh)
    assert "可选值：staff_idea, customer_feedback" in text
    assert "# urgency:" in text and "# 可选值：high, medium, low" in text  # what `assessed` will need, commented out
    assert f"cir move {new_id} assessed" in text
    assert "\n## 背景\n" in text and "\n## 经验教训\n" in text


def test_english_portal_gets_english_headings_and_hints(register: Path) -> None:
    portal = register / "site_config" / "portal.yml"
    portal.write_text(portal.read_text(encoding="utf-8").replace("language: zh", "language: en"), encoding="utf-8")
    rel = run("new", "improvement", "Archive mail", *IMPROVEMENT, project=register).stdout.strip()
    text = (register / rel).read_text(encoding="utf-8")
    assert "\n## Background\n" in text and "## Lessons learned" in text
    assert "# one of: high, medium, low" in text
    assert "# a person id from site_config/people.yml, or free text" in text
    assert issues_in(register, rel) == []


@pytest.mark.parametrize(("kind", "args", "folder", "prefix", "digits"), [
    ("lesson", ["Rehearse rollbacks", "--kind", "success", "--recommendation", "Rehearse before every release.",
                "--author", "li.na", "--improvement", "{improvement}"], "lessons", "LL", 4),
    ("objective", ["缩短变更前置时间", "--owner", "zhao.qian", "--horizon", "2027-06-30", "--parent", "{objective}"],
     "objectives", "OBJ", 2),
    ("assessment", ["--practice", "变更赋能", "--level", "2", "--target-level", "3", "--assessor", "zhou.min",
                    "--date", "2026-05-01"], "assessments", "ASM", 4),
])
def test_new_records_of_every_kind_validate(register: Path, kind: str, args: list[str], folder: str, prefix: str,
                                            digits: int) -> None:
    refs = {"improvement": first_id(register, "improvements"), "objective": first_id(register, "objectives")}
    new_id = next_id(register, folder, prefix, digits)
    result = run("new", kind, *(a.format(**refs) for a in args), project=register)
    assert result.exit_code == 0, result.output
    rel = result.stdout.strip()
    assert rel.startswith(f"content/{folder}/{new_id}")
    assert issues_in(register, rel) == []


def test_assessment_without_title_is_named_after_practice_and_year(register: Path) -> None:
    new_id = next_id(register, "assessments", "ASM")
    rel = run("new", "assessment", "--practice", "change-enablement", "--level", "2", "--target-level", "3",
              "--assessor", "zhou.min", "--date", "2026-05-01", project=register).stdout.strip()
    assert rel == f"content/assessments/{new_id}-change-enablement-2026.md"


def test_names_and_labels_are_accepted_for_keys(register: Path) -> None:
    result = run("new", "improvement", "VPN 扩容", "--requester", "李娜", "--source", "客户反馈",
                 "--affects", "电子邮件与日历", "--affects", "practice/service-desk", "--date", "2026-03-01",
                 project=register)
    data = _front(register / result.stdout.strip())
    assert data["requester"] == "li.na"
    assert data["source"] == "customer_feedback"
    assert data["affects"] == ["service/email", "practice/service-desk"]


def test_missing_values_are_a_usage_error_naming_the_flags(register: Path) -> None:
    count = len(list((register / "content" / "improvements").glob("*.md")))
    result = run("new", "improvement", "No affects", "--date", "2026-03-01", project=register)
    assert result.exit_code == 2
    assert "--requester" in result.output and "--affects" in result.output
    assert len(list((register / "content" / "improvements").glob("*.md"))) == count


def test_title_is_required_outside_a_terminal(register: Path) -> None:
    result = run("new", "improvement", *IMPROVEMENT, project=register)
    assert result.exit_code == 2
    assert "TITLE" in result.output


def test_values_that_would_not_validate_are_reported_and_nothing_is_written(register: Path) -> None:
    count = len(list((register / "content" / "improvements").glob("*.md")))
    result = run("new", "improvement", "Bad", "--requester", "li.na", "--affects", "service/nope", project=register)
    assert result.exit_code == 1
    assert "'nope' is not a key of `services`" in result.stderr
    assert "not written" in result.stderr
    assert len(list((register / "content" / "improvements").glob("*.md"))) == count


def test_interactive_prompts_offer_the_configured_keys(register: Path) -> None:
    answers = "Faster onboarding laptops\nli.na\nstaff_idea\nservice/workplace, value_stream/onboarding\n"
    result = run("new", "improvement", "-i", "--date", "2026-03-01", project=register, input=answers)
    assert result.exit_code == 0, result.output
    assert "service: email, vpn" in result.stderr  # the known keys are listed before the question
    data = _front(register / result.stdout.strip())
    assert data["affects"] == ["service/workplace", "value_stream/onboarding"]
    assert data["title"] == "Faster onboarding laptops"


def test_interactive_prompt_rejects_unknown_keys_and_asks_again(register: Path) -> None:
    answers = "Title\nli.na\nstaff_idea\nservice/nope\nservice/vpn\n"
    result = run("new", "improvement", "-i", project=register, input=answers)
    assert result.exit_code == 0, result.output
    assert "'service/nope' is not kind/key" in result.stderr
    assert _front(register / result.stdout.strip())["affects"] == ["service/vpn"]


def test_dry_run_prints_the_file(register: Path) -> None:
    new_id = next_id(register, "improvements", "IMP")
    result = run("new", "improvement", "Dry", *IMPROVEMENT, "--dry-run", project=register)
    assert result.exit_code == 0
    assert result.stdout.startswith(f"---\nid: {new_id}\n")
    assert not list((register / "content" / "improvements").glob(f"{new_id}*"))


def test_requester_defaults_to_the_git_user_when_known(register: Path) -> None:
    git_init(register)
    git(register, "config", "user.email", "li.na@hualan.example.com")
    result = run("new", "improvement", "Mine", "--affects", "service/email", project=register)
    assert result.exit_code == 0, result.output
    assert _front(register / result.stdout.strip())["requester"] == "li.na"


def test_ids_used_on_the_default_branch_are_never_reused(register: Path) -> None:
    git_init(register)
    on_main = next_id(register, "improvements", "IMP")
    run("new", "improvement", "On main", *IMPROVEMENT, project=register)
    git(register, "add", "-A")
    git(register, "commit", "-q", "-m", "a new record on main")
    git(register, "checkout", "-q", "-b", "feature", "HEAD~1")  # a branch from before that record was merged
    assert next_id(register, "improvements", "IMP") == on_main  # locally, that id looks free
    result = run("new", "improvement", "On the branch", *IMPROVEMENT, project=register)
    assert result.stdout.strip().startswith(f"content/improvements/IMP-{int(on_main[4:]) + 1:04d}-")


def test_unknown_against_ref_is_exit_2(register: Path) -> None:
    git_init(register)
    result = run("new", "improvement", "X", *IMPROVEMENT, "--against", "nope", project=register)
    assert result.exit_code == 2
    assert "git ref 'nope' not found" in result.stderr


def test_no_project_is_exit_2(tmp_path: Path) -> None:
    result = run("new", "improvement", "X", *IMPROVEMENT, project=tmp_path)
    assert result.exit_code == 2
    assert "no cir project" in result.stderr


@pytest.mark.parametrize(("title", "slug"), [
    ("Release rollback automation", "release-rollback-automation"),
    ("Café crème: über-fast", "cafe-creme-uber-fast"),
    ("邮件归档", "youjian-guidang"),
    ("VPN 容量扩容", "vpn-rongliang-kuorong"),
    ("one two three four five six seven eight", "one-two-three-four-five-six"),
    ("！？", ""),
])
def test_slugs(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_a_title_without_slug_gives_a_file_named_by_the_id(register: Path) -> None:
    new_id = next_id(register, "improvements", "IMP")
    rel = run("new", "improvement", "！？", *IMPROVEMENT, project=register).stdout.strip()
    assert rel == f"content/improvements/{new_id}.md"
    assert issues_in(register, rel) == []


def test_ids_go_above_every_taken_id_and_keep_their_width() -> None:
    ids = IdAllocator("IMP", 4, ["IMP-0001", "IMP-0041", "LL-0099", "IMP-12345"])
    assert ids.next() == "IMP-12346"
    assert IdAllocator("OBJ", 2, []).next() == "OBJ-01"


@pytest.mark.parametrize("text", ["plain", "a: b", "- x", "#tag", "yes", "no", "123", "2026-01-01", "true", "null",
                                  "it's", 'say "hi"', "[x]", "{x}", " lead", "a, b", "x #y", "多行\n文本", "@x", "`x`"])
def test_scalars_read_back_as_the_same_string(text: str) -> None:
    assert parse_yaml(f"k: {scalar(text)}")[0] == {"k": text}
    assert parse_yaml(f"[{scalar(text, flow=True)}]")[0] == [text]

