"""The contributor guide: generated from the schemas and the workflow, so it is never stale."""

from __future__ import annotations

from typing import Any

from cir_portal.core.schemas import description
from cir_portal.views.context import GUIDE_PAGE, Site
from cir_portal.views.markup import esc, table
from cir_portal.views.page import Page

KIND_ORDER = ("improvement", "lesson", "objective", "assessment")
FOLDERS = {"improvement": "improvements", "lesson": "lessons", "objective": "objectives", "assessment": "assessments"}
INTRO = {
    "en": """Every record is a Markdown file with YAML front matter in `content/`. The `cir` command does the
bookkeeping, and nothing it writes fails validation:

- `cir new improvement "Title" --requester li.na --affects service/email` creates the file with the next
  free id (never one the default branch already uses), a file name from the title, the keys the first
  status needs with comments on what they accept, and the section headings; it prints the path. Also
  `cir new lesson|objective|assessment`; in a terminal, leave out the title to be asked for everything.
- `cir move IMP-0042 assessed --note "..."` checks that the workflow allows the move and that the record
  has what the new status requires (or lists the keys to add), then sets `status` and appends to
  `history`, changing nothing else in the file.
- `cir support IMP-0042` adds you (git's `user.email` or `user.name`, looked up in `site_config/people.yml`)
  to the record's `supporters`; `--person wang.wei` adds someone else. The record's page shows how many
  people back it and who, the register has a column for it, and it counts in the priority score when
  `priority.weights.support` in `site_config/portal.yml` is above 0 (the default is 0).
- A large improvement can be split into parts: each part is a record of its own with
  `part_of: IMP-0038`, the initiative it belongs to (`cir new improvement "..." --part-of IMP-0038`).
  The initiative's page lists its parts with their status, owner and target date and a roll-up (parts
  finished, summed planned and actual cost, outcomes); `part_of` may not form a cycle, and closing an
  initiative while a part is still open gives a warning. The register filters by initiative.
- The roadmap (`roadmap/`) shows every approved, planned, in-progress or evaluating improvement that has a
  `target_date`, from its approval to its target date, grouped by objective, practice or team, with parts
  nested under their initiative: set `target_date` to put a record on it.
- `cir validate` checks everything; `cir validate --against origin/main` also reports ids that another
  branch uses for a different record, and `cir renumber IMP-0043` then gives this record the next free
  id, renames its file and updates every reference to it.
- `cir import register.xlsx` (or `.csv`) turns spreadsheet rows into records, reporting the rows that
  would not validate; `cir export --out register.xlsx` (or `.csv`, `.json`) writes the register out.

By hand:

1. Copy the template below into a new file `content/<folder>/<ID>-<slug>.md` with the next free id
   (the file name starts with the id; the slug is a few lowercase words).
2. Fill in the keys; the table says which keys each status requires and what they accept.
3. Run `cir validate` — every problem is reported with file, line, key and what to do.
4. Open a pull request. CI validates the register and publishes the portal when it is merged.

To move an improvement forward, change `status`, add what the new status requires, and append
`- {date: YYYY-MM-DD, status: <new status>}` to `history`.""",
    "zh": """每条记录都是 `content/` 下带 YAML 前置元数据的 Markdown 文件。`cir` 命令负责繁琐的部分，它写出的文件都能通过校验：

- `cir new improvement "名称" --requester li.na --affects service/email` 用下一个可用标识（不会与默认分支上已有的标识重复）
  新建文件，文件名由名称生成（中文转为拼音），写入第一个状态所需的字段、说明允许值的注释和正文小节标题，并输出文件路径。
  也可用 `cir new lesson|objective|assessment`；在终端中省略名称，会逐项提问。
- `cir move IMP-0042 assessed --note "..."` 检查工作流是否允许该转换、记录是否具备新状态要求的字段（缺少时列出要补充的字段），
  然后修改 `status` 并在 `history` 末尾追加一条，文件其余内容保持不变。
- `cir support IMP-0042` 把你（git 的 `user.email` 或 `user.name`，在 `site_config/people.yml` 中查找）加入记录的
  `supporters`；`--person wang.wei` 添加其他人。记录页面显示支持者人数和姓名，登记册中有支持者一列；
  当 `site_config/portal.yml` 中的 `priority.weights.support` 大于 0 时（默认为 0），支持者人数计入优先级得分。
- 较大的改进可以拆成几个组成部分：每个部分是一条独立记录，写上 `part_of: IMP-0038`（所属举措）
  （`cir new improvement "..." --part-of IMP-0038`）。举措页面列出各部分的状态、负责人和目标日期，并汇总
  （已结束的部分、计划成本与实际成本合计、结果）；`part_of` 不能形成循环，举措关闭而仍有部分未结束时会给出警告。
  登记册可按举措筛选。
- 路线图（`roadmap/`）显示所有已批准、已规划、实施中或评估结果中且有 `target_date` 的改进，从批准日期到目标日期，
  可按目标、实践或团队分组，组成部分缩进列在举措之下：填写 `target_date` 即可出现在路线图上。
- `cir validate` 校验全部内容；`cir validate --against origin/main` 还会报告其他分支已用于另一条记录的标识，
  此时用 `cir renumber IMP-0043` 为本记录换一个可用标识、重命名文件并更新所有引用。
- `cir import register.xlsx`（或 `.csv`）把表格的每一行转为记录，并报告无法通过校验的行；
  `cir export --out register.xlsx`（或 `.csv`、`.json`）导出登记册。

手工编辑：

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
        for status in site.config.workflow.statuses.values():
            if any(r.split(".")[0].removesuffix("[]") == key for r in status.requires):
                return status.label.text(site.lang)
    return site.t("optional")


def fields_table(site: Site, kind: str) -> str:
    schema = site.config.schemas[kind].schema
    defs = schema.get("$defs", {})
    required = list(schema.get("required", []))
    rows = []
    for key, prop in schema.get("properties", {}).items():
        about = description(prop, site.lang) or description(defs.get(prop.get("$ref", "").rsplit("/", 1)[-1]), site.lang)
        rows.append([f"<code>{esc(key)}</code>", esc(_required_from(site, kind, key, required)), esc(about),
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
        body = {"zh": "## 背景\n\n## 现状\n\n## 目标状态\n"}.get(site.lang, "## Background\n\n## Current state\n\n## Target state\n")
    elif kind == "lesson":
        fm = (f"id: {rid}\ntitle: \ndate: {day}\nauthor: {person}\nkind: observation\nrecommendation: \n"
              "improvements: []")
        body = {"zh": "## 发生了什么\n\n## 学到了什么\n"}.get(site.lang, "## What happened\n\n## What we learned\n")
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


EDITOR_SUPPORT = {
    "en": """## Editor support

- **pre-commit**: cir-portal provides the hook `cir-validate` (`.pre-commit-hooks.yaml`). Add it to the
  register's `.pre-commit-config.yaml` (`repo:` cir-portal's repository, `hooks: [{id: cir-validate}]`) and
  run `pre-commit install`: every commit that touches `content/`, `site_config/` or `schemas/` is validated
  first. A `pre-push` hook running `cir validate --against origin/main` also catches ids taken meanwhile.
- **CI**: `.github/workflows/portal.yml` validates every pull request with `cir validate --format github`
  (problems appear as annotations on the changed lines), builds the portal with `mkdocs build --strict`,
  and publishes it to GitHub Pages from `main`.
- **VS Code**: install the recommended Red Hat YAML extension (`.vscode/extensions.json`).
  `.vscode/settings.json` maps `site_config/*.yml` to the JSON Schemas in `schemas/`, so configuration
  files get completion, hover help and validation as you type. The extension checks YAML files, not the
  front matter of Markdown files: for records, run the task *cir: validate* (Terminal > Run Task), whose
  problems appear in the Problems panel with file and line; the pre-commit hook and CI run the same check.
  Save files as UTF-8 (the workspace settings do); a file saved as GBK is an error.
- **Spreadsheets**: `cir import` reads `.xlsx` and `.csv` (UTF-8, or GBK as Excel saves it on Chinese
  Windows). Column headers may be keys (`title`, `status`) or labels in English or Chinese (Title, Status, Owner,
  Value, Raised); values may be keys or labels (high/medium/low, Approved, a person's name). For other headers or values, write a
  mapping file (`--mapping`, with `columns`, `values` and `defaults`). Existing records are never
  overwritten; `--dry-run` reports without writing.
""",
    "zh": """## 编辑器与工具支持

- **pre-commit**：cir-portal 提供钩子 `cir-validate`（`.pre-commit-hooks.yaml`）。在登记册仓库的
  `.pre-commit-config.yaml` 中添加它（`repo:` 填 cir-portal 的仓库，`hooks: [{id: cir-validate}]`）并运行
  `pre-commit install`：每次提交涉及 `content/`、`site_config/` 或 `schemas/` 时都会先校验。
  再加一个运行 `cir validate --against origin/main` 的 `pre-push` 钩子，可在推送前发现期间被占用的标识。
- **CI**：`.github/workflows/portal.yml` 用 `cir validate --format github` 校验每个合并请求（问题以注释形式显示在改动的行上），
  用 `mkdocs build --strict` 构建门户，并从 `main` 发布到 GitHub Pages。
- **VS Code**：安装推荐的 Red Hat YAML 扩展（`.vscode/extensions.json`）。`.vscode/settings.json` 把 `site_config/*.yml`
  对应到 `schemas/` 中的 JSON Schema，编辑配置文件时即有补全、悬停说明和实时校验。该扩展只校验 YAML 文件，
  不校验 Markdown 文件的前置元数据：编辑记录时请运行任务 *cir: validate*（终端 > 运行任务），问题会连同文件和行号显示在
  “问题”面板中；pre-commit 钩子和 CI 执行的是同一套校验。文件请保存为 UTF-8（工作区设置已指定），保存为 GBK 会报错。
- **表格**：`cir import` 读取 `.xlsx` 和 `.csv`（UTF-8，或中文 Windows 上 Excel 保存的 GBK）。列标题可以是字段名
  （`title`、`status`）或中文名称（名称、状态、负责人、价值/收益、提出日期）；取值可以是键或名称（高/中/低、已批准、人员姓名）。
  其他标题或取值写在映射文件中（`--mapping`，包含 `columns`、`values` 和 `defaults`）。已有记录绝不会被覆盖；
  `--dry-run` 只报告、不写入。
""",
}

#: The worked example of adding a key of the organisation's own (same in both languages' code).
CUSTOM_FIELD = {
    "en": """## Adding a field of your own

A key your organisation needs (a cost centre, a risk owner, a contract number) is one change
to the schema; the portal then validates it, shows it on the record's card and puts it in
`register.json`, `register.csv` and `cir export`.

1. Add it to the `properties` of `schemas/improvement.schema.json` (or the schema of another
   record kind). `title` labels it on the card, `x-title-zh` on a Chinese portal, and
   `description` explains it in this guide:

   ```json
   "cost_centre": {"type": "string", "pattern": "^CC-[0-9]{3}$",
                   "title": "Cost centre", "x-title-zh": "成本中心",
                   "description": "the cost centre that pays for the change, e.g. CC-100"}
   ```

2. Use it in a record: `cost_centre: CC-100`. `cir validate` checks it against the schema
   like any other key (a record that says `CC-1` fails with the file, line and pattern).

3. That is all for the card and the exports. To show it somewhere of its own, change one
   view: a record's custom keys are in `record.extra` (a typed record; views never read front
   matter by string). For example, in `plugins/cir_portal/views/cards.py`,
   `improvement_card` could add a row
   `(t("cost_centre"), esc(imp.extra.get("cost_centre")))` after `register_strings` gives
   `cost_centre` its English and Chinese label.
""",
    "zh": """## 添加组织自己的字段

组织需要的字段（成本中心、风险负责人、合同编号）只需修改一处模式定义；之后门户会校验它、
在记录卡片上显示它，并把它写入 `register.json`、`register.csv` 和 `cir export`。

1. 把它加入 `schemas/improvement.schema.json`（或其他记录类型的模式）的 `properties`。
   `title` 是卡片上的英文标签，`x-title-zh` 是中文门户上的标签，`description` 在本指南中说明它：

   ```json
   "cost_centre": {"type": "string", "pattern": "^CC-[0-9]{3}$",
                   "title": "Cost centre", "x-title-zh": "成本中心",
                   "description": "the cost centre that pays for the change, e.g. CC-100"}
   ```

2. 在记录中使用：`cost_centre: CC-100`。`cir validate` 像检查其他字段一样按模式检查它
   （写成 `CC-1` 的记录会报错，并给出文件、行号和模式）。

3. 卡片和导出无需其他改动。若要在专门的位置显示它，只需修改一个视图：记录的自定义字段在
   `record.extra` 中（记录是类型化的，视图从不按字符串读取 front matter）。例如在
   `plugins/cir_portal/views/cards.py` 的 `improvement_card` 中加入一行
   `(t("cost_centre"), esc(imp.extra.get("cost_centre")))`，并用 `register_strings`
   为 `cost_centre` 提供中英文标签。
""",
}


def pages(site: Site) -> list[Page]:
    return [Page(GUIDE_PAGE, site.t("guide"), guide_page(site))]


def guide_page(site: Site) -> str:
    t = site.t
    intro = INTRO.get(site.lang, INTRO["en"])
    parts = [f"# {t('guide')}\n\n{intro}\n", f"## {t('workflow')}\n\n{workflow_table(site)}\n"]
    for kind in KIND_ORDER:
        parts.append(f"## {t(kind)} (`content/{FOLDERS[kind]}/`)\n\n{fields_table(site, kind)}\n\n"
                     f"### {t('template')}\n\n{template(site, kind)}\n")
    parts.append(CUSTOM_FIELD.get(site.lang, CUSTOM_FIELD["en"]))
    parts.append(EDITOR_SUPPORT.get(site.lang, EDITOR_SUPPORT["en"]))
    return "\n".join(parts)
