"""The contributor guide: generated from the schemas and the workflow, so it is never stale."""

from __future__ import annotations

from typing import Any

from cir_portal.core.schemas import description, resolve_node
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


def _allowed(root: dict[str, Any], prop: dict[str, Any]) -> str:
    node = resolve_node(root, prop)
    if "enum" in node:
        return ", ".join(str(v) for v in node["enum"])
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        inner = _allowed(root, node["items"])
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
    required = list(schema.get("required", []))
    rows = []
    for key, prop in schema.get("properties", {}).items():
        about = description(prop, site.lang) or description(resolve_node(schema, prop), site.lang)
        rows.append([f"<code>{esc(key)}</code>", esc(_required_from(site, kind, key, required)), esc(about),
                     esc(_allowed(schema, prop))])
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
- **Spreadsheets**: `cir import` reads `.xlsx` and `.csv` (UTF-8; for another encoding say which, e.g.
  `--encoding gbk` for a CSV Excel saved on Chinese Windows: encodings are never guessed). Column headers
  may be keys (`title`, `status`) or labels in English or Chinese (Title, Status, Owner, Value, Raised);
  values may be keys or labels (high/medium/low, Approved, a person's name). For other headers or values, write a
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
- **表格**：`cir import` 读取 `.xlsx` 和 `.csv`（UTF-8；其他编码须指明，例如中文 Windows 上 Excel 保存的 CSV 用
  `--encoding gbk`，程序不会猜测编码）。列标题可以是字段名
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


PUBLISHING = {
    "en": """## Who sees what: audiences

Every build of the portal is for one audience: `public` < `internal` < `restricted`. A record says who may
see it with `visibility: public|internal|restricted`; without it, it has the portal's default,
**{default}** (`publish.default_visibility` in `site_config/portal.yml`). A build publishes a record only to
audiences at or above its visibility: a `restricted` record is in no file of an `internal` build — not its
page, not the register, board, browse, cascade, governance, dashboard, report, knowledge-base or maturity
pages, not `register.json`, `register.csv`, `feed.xml` or `kpis.json`, not the search index, the sitemap
or a chart. A published record that refers to it shows its id only (no title, no link). Figures and charts
are computed from the published records; the dashboard says how many records the audience does not see.
`cir validate` still checks every record.

The audience of a build is the plugin option `audience` in `mkdocs.yml` (`plugins: [{{cir: {{audience:
public}}}}]`), overridden by the environment variable `CIR_AUDIENCE` when it is set, and
`cir render --audience`, `cir export --audience` alike; the default is `internal`. Keys can be kept from an
audience as well: `publish.redact: {{public: [requester, planned_cost, actual_cost]}}` leaves those keys out
of every page and export built for it. This portal redacts: {redact}.

Record bodies: {bodies}

Spreadsheet exports (`register.csv`, `cir export`) write a text cell that starts with `=`, `+`, `-`, `@`,
a tab or a carriage return with a leading `'` (XLSX: as text, never a formula). Files under `content/` must
be regular files inside the repository: a symbolic link that leads out of it, a FIFO or a link loop is an
error of `cir validate` and is never read or published.
""",
    "zh": """## 谁能看到什么：受众

门户的每次构建面向一个受众：`public`（公开）< `internal`（内部）< `restricted`（受限）。记录用
`visibility: public|internal|restricted` 说明谁可以看到它；未写时取门户默认值 **{default}**
（`site_config/portal.yml` 中的 `publish.default_visibility`）。一次构建只发布可见级别不高于其受众的记录：
`restricted` 记录不会出现在 `internal` 构建的任何文件中——没有它的页面，登记册、看板、浏览、目标层级、治理、仪表板、
报告、知识库和成熟度页面中都没有它，`register.json`、`register.csv`、`feed.xml`、`kpis.json`、搜索索引、站点地图和图表中也没有。
已发布的记录引用它时只显示标识（无名称、无链接）。各项数值和图表只按已发布的记录计算，仪表板会说明该受众看不到多少条记录。
`cir validate` 仍然校验全部记录。

构建的受众由 `mkdocs.yml` 中插件选项 `audience` 指定（`plugins: [{{cir: {{audience: public}}}}]`），设置了环境变量
`CIR_AUDIENCE` 时以它为准；`cir render --audience`、`cir export --audience` 同理；默认为 `internal`。也可以对某个受众隐去字段：
`publish.redact: {{public: [requester, planned_cost, actual_cost]}}` 会从面向该受众的所有页面和导出中去掉这些字段。
本门户隐去的字段：{redact}。

记录正文：{bodies}

表格导出（`register.csv`、`cir export`）中以 `=`、`+`、`-`、`@`、制表符或回车开头的文本单元格会加上前导 `'`
（XLSX 中写为文本，绝不作为公式）。`content/` 下只能是仓库内的普通文件：指向仓库之外的符号链接、FIFO 或循环链接都是
`cir validate` 的错误，永远不会被读取或发布。
""",
}
BODIES = {
    "en": {False: "**sanitised** (this portal does not set `publish.trusted_html`). The HTML made from a body keeps "
                  "headings, lists, tables, code, quotes, images and links with http(s), mailto or relative addresses, "
                  "`details` and admonitions; scripts, event handlers, iframes, forms, styles and `javascript:`/`data:` "
                  "links are removed. Write Markdown; raw HTML outside that subset does not appear.",
           True: "**published as written, raw HTML included** (`publish.trusted_html: true` in portal.yml): every body "
                 "must be reviewed before it is merged, since a script in one runs in every reader's browser."},
    "zh": {False: "**经过净化**（本门户未设置 `publish.trusted_html`）。正文生成的 HTML 只保留标题、列表、表格、代码、引用、"
                  "使用 http(s)、mailto 或相对地址的图片和链接、`details` 和提示框；脚本、事件处理属性、iframe、表单、样式以及 "
                  "`javascript:`/`data:` 链接都会被去掉。请使用 Markdown；该范围之外的原始 HTML 不会显示。",
           True: "**按原样发布，包括原始 HTML**（portal.yml 中 `publish.trusted_html: true`）：每条正文在合并前都必须经过审核，"
                 "因为其中的脚本会在每位读者的浏览器中运行。"},
}


def publishing_section(site: Site) -> str:
    """How audiences, redaction and body sanitising work, with this portal's settings."""
    settings = site.config.portal.publish
    lang = site.lang if site.lang in PUBLISHING else "en"
    redact = "; ".join(f"{audience}: {', '.join(f'`{k}`' for k in keys)}" for audience, keys in settings.redact.items() if keys)
    none = {"en": "nothing", "zh": "无"}[lang]
    return PUBLISHING[lang].format(default=f"`{settings.default_visibility}`", redact=redact or none,
                                   bodies=BODIES[lang][settings.trusted_html])


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
    parts.append(publishing_section(site))
    return "\n".join(parts)
