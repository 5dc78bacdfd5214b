"""The contributor guide: generated from the schemas and the workflow, so it is never stale."""

from __future__ import annotations

from typing import Any

from .markup import esc, table
from .site import GUIDE_PAGE, Site

KIND_ORDER = ("improvement", "lesson", "objective", "assessment")
FOLDERS = {"improvement": "improvements", "lesson": "lessons", "objective": "objectives", "assessment": "assessments"}
INTRO = {
    "en": """Every record is a Markdown file with YAML front matter in `content/`. To add or change one:

1. Copy the template below into a new file `content/<folder>/<ID>-<slug>.md` with the next free id
   (the file name starts with the id; the slug is a few lowercase words).
2. Fill in the keys; the table says which keys each status requires and what they accept.
3. Run `cir validate` — every problem is reported with file, line, key and what to do.
4. Open a pull request. CI validates the register and publishes the portal when it is merged.

To move an improvement forward, change `status`, add what the new status requires, and append
`- {date: YYYY-MM-DD, status: <new status>}` to `history`.""",
    "zh": """每条记录都是 `content/` 下带 YAML 前置元数据的 Markdown 文件。新增或修改记录：

1. 将下方模板复制到新文件 `content/<目录>/<标识>-<slug>.md`，使用下一个可用标识（文件名以标识开头，slug 为几个小写英文单词或拼音）。
2. 填写字段；下表列出每个状态必填的字段及允许值。
3. 运行 `cir validate`——每个问题都会给出文件、行号、字段和修改方法。
4. 提交合并请求（pull request）。CI 会校验登记册，合并后发布门户。

推进一条改进记录时，修改 `status`，补齐新状态要求的字段，并在 `history` 末尾追加
`- {date: YYYY-MM-DD, status: <新状态>}`。""",
}


def _allowed(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    node = schema
    while "$ref" in node:
        node = defs.get(node["$ref"].rsplit("/", 1)[-1], {})
    if "enum" in node:
        return ", ".join(str(v) for v in node["enum"])
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        inner = _allowed(node["items"], defs)
        return f"[{inner}]" if inner else ""
    return ""


def _required_from(site: Site, kind: str, key: str, required: list[str]) -> str:
    if key in required:
        return site.t("always")
    if kind == "improvement":
        for status_key, status in site.config.workflow.statuses.items():
            if any(r.split(".")[0].removesuffix("[]") == key for r in status.requires):
                return status.label.text(site.lang)
    return site.t("optional")


def fields_table(site: Site, kind: str) -> str:
    schema = site.config.schemas[kind].schema
    defs = schema.get("$defs", {})
    required = list(schema.get("required", []))
    rows = []
    for key, prop in schema.get("properties", {}).items():
        description = prop.get("description") or defs.get(prop.get("$ref", "").rsplit("/", 1)[-1], {}).get("description", "")
        rows.append([f"<code>{esc(key)}</code>", esc(_required_from(site, kind, key, required)), esc(description),
                     esc(_allowed(prop, defs))])
    t = site.t
    return table([t("field"), t("required_from"), t("description"), t("allowed")], rows)


def workflow_table(site: Site) -> str:
    t, wf = site.t, site.config.workflow
    rows = []
    for key, s in wf.statuses.items():
        step = f"{s.step}: {t(f'step_{s.step}')}" if s.step else ""
        rows.append([site.status_badge(key) + f" <code>{esc(key)}</code>", esc(step), esc(s.pdca or ""),
                     esc(s.description.text(site.lang)),
                     ", ".join(f"<code>{esc(r)}</code>" for r in s.requires),
                     ", ".join(f"<code>{esc(x)}</code>" for x in s.transitions)])
    return table([t("status"), t("step"), t("pdca"), t("description"), t("required_from"), t("transitions")], rows)


def template(site: Site, kind: str) -> str:
    prefix, digits = site.config.portal.id_prefixes[kind]
    rid = f"{prefix}-{'1'.zfill(digits)}"
    person = next(iter(site.config.people), "someone")
    day = site.as_of
    if kind == "improvement":
        service = next(iter(site.config.taxonomy.get("services", {})), "email")
        fm = (f"id: {rid}\ntitle: \nstatus: {site.config.workflow.initial}\nraised: {day}\nrequester: {person}\n"
              f"source: staff_idea\naffects: [service/{service}]\ntags: []")
        body = "## 背景 Background\n\n## 现状 Current state\n\n## 目标状态 Target state\n"
    elif kind == "lesson":
        fm = (f"id: {rid}\ntitle: \ndate: {day}\nauthor: {person}\nkind: observation\nrecommendation: \n"
              "improvements: []")
        body = "## 发生了什么 What happened\n\n## 学到了什么 What we learned\n"
    elif kind == "objective":
        fm = f"id: {rid}\ntitle: \nowner: {person}\nhorizon: {day}\nkpis:\n  - {{name: , unit: '%', target: 0}}"
        body = ""
    else:
        practice = next(iter(site.config.taxonomy.get("practices", {})), "continual-improvement")
        fm = (f"id: {rid}\npractice: {practice}\ndate: {day}\nassessor: {person}\nlevel: 2\ntarget_level: 3\n"
              "dimensions: {organizations_people: 2, information_technology: 2, partners_suppliers: 2, "
              "value_streams_processes: 2}\ngaps:\n  - {id: G1, description: }")
        body = ""
    return f"```yaml\n---\n{fm}\n---\n{body}```"


def pages(site: Site) -> dict[str, str]:
    return {GUIDE_PAGE: guide_page(site)}


def guide_page(site: Site) -> str:
    t = site.t
    intro = INTRO.get(site.lang, INTRO["en"])
    parts = [f"# {t('guide')}\n\n{intro}\n", f"## {t('workflow')}\n\n{workflow_table(site)}\n"]
    for kind in KIND_ORDER:
        parts.append(f"## {t(kind)} (`content/{FOLDERS[kind]}/`)\n\n{fields_table(site, kind)}\n\n"
                     f"### {t('template')}\n\n{template(site, kind)}\n")
    return "\n".join(parts)
