"""Write a synthetic, spec-valid continual improvement register for benchmarks and tests.

The generated project is self-contained: ``site_config/`` (workflow.yml and portal.yml
copied from this repository, people.yml and taxonomy.yml written here), ``schemas/``
(copied when the repository has one) and ``content/`` with improvements, lessons,
objectives and assessments whose references all resolve.

Everything is driven by ``random.Random(seed)``: the same ``n`` and ``seed`` give
byte-identical files. The improvement workflow (statuses, transitions and the keys each
status requires) is read from the copied workflow.yml, so a changed workflow still yields
records that satisfy it, as long as it only requires keys this generator knows.

Usage::

    python scripts/synthetic.py 10000 /tmp/cir-10k [--seed 42] [--force]

or, from Python, ``generate(10000, Path("/tmp/cir-10k"), seed=42)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Every generated date is on or before this day (fixed, so output does not depend on
#: the wall clock).
REFERENCE_DATE = dt.date(2026, 11, 15)
START_DATE = dt.date(2021, 1, 4)

#: Keys every improvement has whatever its status (spec: "required from status: always").
ALWAYS_KEYS = ("id", "title", "status", "raised", "requester", "source", "affects")

#: Front matter key order of a generated improvement.
IMPROVEMENT_KEY_ORDER = (
    "id",
    "title",
    "status",
    "raised",
    "requester",
    "source",
    "source_ref",
    "affects",
    "urgency",
    "cost",
    "cost_estimate",
    "value",
    "value_types",
    "owner",
    "objectives",
    "business_case",
    "approved_by",
    "approved_on",
    "plan",
    "definition_of_done",
    "target_date",
    "metrics",
    "closed_on",
    "outcome",
    "lessons",
    "reason",
    "originator_notified",
    "escalated",
    "history",
    "tags",
    "planned_cost",
    "actual_cost",
    "satisfaction",
    "negative_outcome",
    "related",
    "supersedes",
)

#: Top-level improvement keys this generator can produce a value for.
KNOWN_KEYS = frozenset(IMPROVEMENT_KEY_ORDER)

#: Share of records per status (statuses missing here get weight 4).
STATUS_WEIGHTS = {
    "identified": 9,
    "assessed": 9,
    "approved": 6,
    "planned": 6,
    "in_progress": 14,
    "evaluating": 8,
    "closed": 30,
    "rejected": 6,
    "deferred": 6,
    "cancelled": 6,
}

#: Days between entering the previous status and entering this one.
GAP_DAYS = {
    "assessed": (3, 40),
    "approved": (5, 45),
    "planned": (7, 45),
    "in_progress": (5, 30),
    "evaluating": (30, 150),
    "closed": (14, 60),
    "rejected": (3, 40),
    "deferred": (3, 40),
    "cancelled": (5, 90),
}
DEFAULT_GAP = (5, 45)

# --------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------

SURNAMES = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("胡", "hu"),
    ("朱", "zhu"),
    ("高", "gao"),
    ("林", "lin"),
    ("何", "he"),
    ("郭", "guo"),
    ("马", "ma"),
    ("罗", "luo"),
]
GIVEN_NAMES = [
    ("娜", "na"),
    ("伟", "wei"),
    ("芳", "fang"),
    ("敏", "min"),
    ("静", "jing"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀英", "xiuying"),
    ("华", "hua"),
    ("丽", "li"),
    ("强", "qiang"),
    ("军", "jun"),
    ("平", "ping"),
    ("婷", "ting"),
    ("辉", "hui"),
    ("鹏", "peng"),
    ("晨", "chen"),
    ("宇", "yu"),
    ("欣", "xin"),
    ("浩", "hao"),
    ("琳", "lin"),
    ("雪", "xue"),
    ("凯", "kai"),
    ("子涵", "zihan"),
]
WESTERN_NAMES = [
    "Emma Wilson",
    "Liam Patel",
    "Olivia Novak",
    "Noah Schmidt",
    "Sofia Rossi",
    "Lucas Martin",
    "Mia Johansson",
    "Ethan Brown",
    "Ava Dubois",
    "Daniel Kim",
]
TEAMS = [
    ("service-desk", "Service Desk", "服务台"),
    ("network-ops", "Network Operations", "网络运维"),
    ("platform-engineering", "Platform Engineering", "平台工程"),
    ("application-dev", "Application Development", "应用开发"),
    ("security", "Information Security", "信息安全"),
    ("smo", "Service Management Office", "服务管理办公室"),
    ("customer-success", "Customer Success", "客户成功"),
    ("finance-procurement", "Finance and Procurement", "财务与采购"),
]

SERVICES = [
    ("email", "Email", "电子邮件"),
    ("vpn", "Remote access VPN", "远程访问 VPN"),
    ("erp", "ERP", "ERP 系统"),
    ("crm", "CRM", "客户关系管理"),
    ("hr-portal", "HR portal", "人力资源门户"),
    ("payroll", "Payroll", "薪资发放"),
    ("video-conferencing", "Video conferencing", "视频会议"),
    ("file-sharing", "File sharing", "文件共享"),
    ("identity", "Identity and SSO", "统一身份认证"),
    ("wifi", "Office Wi-Fi", "办公无线网络"),
    ("printing", "Printing", "打印服务"),
    ("data-warehouse", "Data warehouse", "数据仓库"),
    ("online-banking", "Online banking", "网上银行"),
    ("customer-portal", "Customer portal", "客户门户"),
    ("monitoring", "Monitoring platform", "监控平台"),
]
PRODUCTS = [
    ("mobile-app", "Mobile app", "移动应用"),
    ("web-shop", "Web shop", "网上商城"),
    ("smart-billing", "Smart billing", "智能计费"),
    ("api-gateway", "Open API gateway", "开放 API 网关"),
    ("partner-portal", "Partner portal", "合作伙伴门户"),
    ("analytics-suite", "Analytics suite", "数据分析套件"),
]
PRACTICES = [
    ("incident-management", "Incident management", "事件管理"),
    ("problem-management", "Problem management", "问题管理"),
    ("change-enablement", "Change enablement", "变更实施"),
    ("service-desk", "Service desk", "服务台"),
    ("service-level-management", "Service level management", "服务级别管理"),
    ("service-request-management", "Service request management", "服务请求管理"),
    ("knowledge-management", "Knowledge management", "知识管理"),
    ("continual-improvement", "Continual improvement", "持续改进"),
    ("information-security-management", "Information security management", "信息安全管理"),
    ("monitoring-and-event-management", "Monitoring and event management", "监控与事件管理"),
    ("release-management", "Release management", "发布管理"),
    ("deployment-management", "Deployment management", "部署管理"),
    ("capacity-and-performance-management", "Capacity and performance management", "容量与性能管理"),
    ("availability-management", "Availability management", "可用性管理"),
    ("it-asset-management", "IT asset management", "IT 资产管理"),
    ("service-configuration-management", "Service configuration management", "服务配置管理"),
    ("supplier-management", "Supplier management", "供应商管理"),
    ("relationship-management", "Relationship management", "关系管理"),
    ("risk-management", "Risk management", "风险管理"),
    ("software-development-and-management", "Software development and management", "软件开发与管理"),
    ("service-continuity-management", "Service continuity management", "服务连续性管理"),
    ("measurement-and-reporting", "Measurement and reporting", "测量与报告"),
]
VALUE_STREAMS = [
    ("onboarding", "Employee onboarding", "新员工入职"),
    ("customer-onboarding", "Customer onboarding", "客户开户"),
    ("incident-to-resolution", "Incident to resolution", "故障到恢复"),
    ("idea-to-production", "Idea to production", "创意到生产"),
    ("request-to-fulfil", "Request to fulfil", "请求到履行"),
    ("order-to-cash", "Order to cash", "订单到回款"),
]
SOURCES = [
    ("staff_idea", "Staff idea", "员工建议"),
    ("customer_feedback", "Customer feedback", "客户反馈"),
    ("incident", "Incident", "事件"),
    ("problem", "Problem", "问题"),
    ("risk", "Risk", "风险"),
    ("audit", "Audit", "审计"),
    ("assessment", "Assessment", "评估"),
    ("review", "Review", "回顾"),
    ("supplier", "Supplier", "供应商"),
    ("metric", "Metric", "指标"),
]
SOURCE_WEIGHTS = [22, 14, 14, 10, 6, 6, 8, 8, 5, 7]
VALUE_TYPES = [
    ("time_to_market", "Time to market", "上市时间"),
    ("customer_retention", "Customer retention", "客户保留"),
    ("market_share", "Market share", "市场份额"),
    ("agility", "Agility", "敏捷性"),
    ("knowledge_management", "Knowledge management", "知识管理"),
    ("cost_reduction", "Cost reduction", "降低成本"),
    ("risk_reduction", "Risk reduction", "降低风险"),
    ("compliance", "Compliance", "合规"),
    ("user_experience", "User experience", "用户体验"),
    ("culture", "Culture", "文化"),
]
AFFECT_KINDS = [
    ("service", SERVICES, 6),
    ("product", PRODUCTS, 2),
    ("practice", PRACTICES, 4),
    ("value_stream", VALUE_STREAMS, 1),
]

TOPICS = [
    ("password reset", "密码重置"),
    ("ticket triage", "工单分派"),
    ("change approval", "变更审批"),
    ("on-call handover", "值班交接"),
    ("knowledge articles", "知识文章"),
    ("backup verification", "备份验证"),
    ("alert noise", "告警噪声"),
    ("access requests", "权限申请"),
    ("release checklist", "发布检查单"),
    ("supplier SLA reporting", "供应商 SLA 报告"),
    ("first-call resolution", "首次解决率"),
    ("customer survey", "客户满意度调查"),
    ("capacity forecasting", "容量预测"),
    ("patch cadence", "补丁节奏"),
    ("major incident communication", "重大事件沟通"),
    ("self-service catalogue", "自助服务目录"),
    ("CMDB data quality", "CMDB 数据质量"),
    ("onboarding checklist", "入职清单"),
    ("log retention", "日志保留"),
    ("runbooks", "运行手册"),
    ("escalation path", "升级路径"),
    ("test automation", "测试自动化"),
    ("cost allocation", "成本分摊"),
    ("vendor invoices", "供应商发票"),
    ("certificate renewal", "证书续期"),
    ("licence usage", "许可证使用"),
    ("problem records", "问题记录"),
    ("status page", "状态页面"),
]
ACTIONS = [
    ("Automate", "自动化"),
    ("Streamline", "流程简化"),
    ("Standardise", "标准化"),
    ("Speed up", "提速"),
    ("Improve", "优化"),
    ("Redesign", "重新设计"),
    ("Pilot", "试点"),
    ("Centralise", "集中管理"),
    ("Make visible", "可视化"),
    ("Simplify", "精简"),
    ("Measure", "度量"),
    ("Harden", "加固"),
]
EXTERNAL_REQUESTERS = [
    "Northwind Bank (customer)",
    "华东物流 客户代表",
    "Contoso Ltd, procurement",
    "供应商：云峰数据中心",
    "Fabrikam Insurance service manager",
    "市民热线 12345 转办",
    "Partner: Blue Yonder Consulting",
    "集团审计部 外部审计师",
]
TAGS = [
    "quick-win",
    "automation",
    "自动化",
    "customer",
    "客户体验",
    "compliance",
    "合规",
    "self-service",
    "cost",
    "降本",
    "security",
    "knowledge",
    "知识库",
    "cloud",
    "onboarding",
    "kpi",
    "supplier",
    "质量",
    "availability",
    "可用性",
    "agile",
    "lean",
    "精益",
]
METRICS = [
    # (English name, Chinese name, unit, direction, baseline low, baseline high, decimals)
    ("Mean time to restore", "平均恢复时间", "min", "decrease", 30, 240, 0),
    ("First-call resolution rate", "首次解决率", "%", "increase", 40, 75, 1),
    ("Tickets per week", "每周工单量", "tickets", "decrease", 60, 600, 0),
    ("Customer satisfaction (CSAT)", "客户满意度", "points", "increase", 3.0, 4.1, 2),
    ("Change failure rate", "变更失败率", "%", "decrease", 6, 30, 1),
    ("Lead time for changes", "变更前置时间", "days", "decrease", 3, 30, 1),
    ("Monthly run cost", "月度运行成本", "CNY", "decrease", 20000, 300000, 0),
    ("Self-service adoption", "自助服务采用率", "%", "increase", 10, 50, 1),
    ("Backlog age", "积压工单平均时长", "days", "decrease", 5, 60, 1),
    ("Service availability", "服务可用性", "%", "increase", 97.5, 99.6, 2),
    ("Employee NPS", "员工净推荐值", "points", "increase", -20, 20, 0),
    ("Alerts per day", "每日告警数", "alerts", "decrease", 80, 2000, 0),
    ("Requests fulfilled within SLA", "SLA 内完成的请求", "%", "increase", 55, 90, 1),
    ("Onboarding time", "入职准备时间", "days", "decrease", 4, 20, 1),
]

EN_FRAGMENTS = {
    "background": [
        "The {service} team raised this after {n} similar tickets in one quarter.",
        "Colleagues on the {team} team spend a large part of each week on {topic}.",
        "A post-incident review of the {service} outage pointed at {topic} as a contributing factor.",
        "Customers have told us in surveys that {topic} is slow and hard to follow.",
        "The current way of handling {topic} grew out of a spreadsheet that nobody owns any more.",
        "This idea came from the monthly improvement huddle and was voted into the register.",
        "An internal audit found that {topic} is performed differently in each region.",
    ],
    "current": [
        "Today the {metric} sits at about {baseline} {unit}, measured over the last {weeks} weeks.",
        "Most of the work is manual: an engineer copies data between three tools.",
        "There is no single owner, so requests wait in shared mailboxes for {days} days on average.",
        "The documentation for {topic} is out of date and new joiners learn it by asking around.",
        "About {pct}% of the effort is rework caused by missing information at the start.",
        "Dashboards exist, but nobody reviews them in a regular meeting.",
    ],
    "target": [
        "We want to bring {metric} to {target} {unit} by {target_date}.",
        "A contributor should be able to finish {topic} without waiting for another team.",
        "The desired state is a documented, measured and owned process with a clear escalation path.",
        "Success means fewer handovers, fewer surprises and a shorter queue.",
        "The change should be visible to customers as faster answers and fewer repeat contacts.",
    ],
    "plan": [
        "Start with a two-week pilot on {service}, then roll out team by team.",
        "Map the current value stream, remove the steps that add no value, and automate the rest.",
        "Agree the definition of done with the practice owner before any tooling work starts.",
        "Work in short iterations; every iteration ends with a review of the measurements.",
        "Train the service desk and update the knowledge articles in the same sprint.",
        "Reuse the existing automation platform instead of buying a new tool.",
    ],
    "results": [
        "After {weeks} weeks, {metric} moved from {baseline} to {latest} {unit}.",
        "The pilot group reported less manual work and clearer ownership.",
        "Not every team adopted the new way at the same pace; two needed extra coaching.",
        "Measurements are collected automatically and reviewed in the monthly service review.",
        "The trend is encouraging, but one more iteration is needed to reach the target.",
    ],
    "lessons": [
        "Involving the people who do the work from the first day made the rollout much easier.",
        "Measure the baseline before changing anything; we nearly lost the comparison.",
        "Small, reversible steps were easier to approve than one large change.",
        "Communicate the change to requesters, not only to the teams that implement it.",
        "Automation without a clear owner drifts back into manual work within months.",
    ],
}
ZH_FRAGMENTS = {
    "background": [
        "{service_zh}团队在一个季度内处理了 {n} 张类似工单，因此提出了这一改进。",
        "{team_zh}的同事每周都要花大量时间处理{topic_zh}相关的工作。",
        "在{service_zh}故障的事后回顾中，{topic_zh}被认定为促成因素之一。",
        "客户在满意度调查中反映，{topic_zh}流程缓慢且难以理解。",
        "目前的{topic_zh}做法源自一张早已无人维护的电子表格。",
        "这个想法来自每月的改进例会，经投票后登记进改进登记册。",
        "内部审计发现各地区执行{topic_zh}的方式并不一致。",
    ],
    "current": [
        "当前{metric_zh}约为 {baseline} {unit}，统计周期为最近 {weeks} 周。",
        "大部分工作仍靠手工完成，工程师需要在三个工具之间复制数据。",
        "由于没有唯一负责人，请求平均要在共享邮箱中等待 {days} 天。",
        "{topic_zh}的文档已经过时，新员工只能靠四处打听来学习。",
        "大约 {pct}% 的工作量是因为一开始信息不全而产生的返工。",
        "虽然已有仪表板，但没有人在固定会议中查看这些数据。",
    ],
    "target": [
        "目标是在 {target_date} 之前把{metric_zh}提升到 {target} {unit}。",
        "贡献者应能独立完成{topic_zh}，无需等待其他团队。",
        "期望状态是一个有文档、可度量、有明确负责人和升级路径的流程。",
        "成功意味着更少的交接、更少的意外和更短的队列。",
        "客户应能感受到更快的答复和更少的重复联系。",
    ],
    "plan": [
        "先在{service_zh}上进行为期两周的试点，然后逐个团队推广。",
        "梳理当前价值流，去掉不增值的步骤，其余步骤实现自动化。",
        "在开始任何工具开发之前，先与实践负责人确认完成的定义。",
        "采用短迭代方式，每次迭代结束时回顾测量结果。",
        "在同一个冲刺中完成服务台培训并更新知识文章。",
        "复用现有的自动化平台，而不是采购新工具。",
    ],
    "results": [
        "经过 {weeks} 周，{metric_zh}从 {baseline} 变为 {latest} {unit}。",
        "试点小组反馈手工工作减少，职责更加清晰。",
        "并非所有团队都以相同速度采用新方法，有两个团队需要额外辅导。",
        "测量数据已自动采集，并在每月服务回顾会上审阅。",
        "趋势令人鼓舞，但还需要再进行一次迭代才能达到目标。",
    ],
    "lessons": [
        "从第一天起就让一线人员参与，使推广顺利得多。",
        "在做任何改变之前先测量基线，否则几乎无法比较前后效果。",
        "小而可回退的步骤比一次大的变更更容易获得批准。",
        "不仅要通知实施团队，也要把变更告知请求者。",
        "没有明确负责人的自动化，几个月内就会退回到手工操作。",
    ],
}
SECTION_HEADINGS = {
    "background": "## 背景 / Background",
    "current": "## 现状 / Current state",
    "target": "## 目标状态 / Target state",
    "plan": "## 计划 / Plan",
    "results": "## 结果 / Results",
    "lessons": "## 经验教训 / Lessons learned",
}
REASONS = {
    "rejected": [
        "The expected benefit does not justify the cost at this time. 预期收益目前不足以支撑成本。",
        "Duplicates an initiative already in progress; merged there. 与正在进行的改进重复，已合并。",
        "Out of scope for the service owner; redirected to the supplier. 超出服务负责人的范围，已转交供应商。",
        "收益无法量化，请求者被邀请补充数据后重新提交。",
    ],
    "deferred": [
        "Waiting for the platform migration next year. 等待明年的平台迁移完成。",
        "No capacity in the owning team this quarter. 负责团队本季度没有余力。",
        "Depends on a contract renewal with the supplier. 取决于与供应商的合同续签。",
        "优先级低于当前的合规项目，暂缓处理。",
    ],
    "cancelled": [
        "The service is being decommissioned. 该服务即将下线。",
        "A vendor release solved the underlying problem. 供应商的新版本已解决根本问题。",
        "Sponsor left and the objective was withdrawn. 发起人离职，目标已撤销。",
        "重组后需求不再存在，停止实施。",
    ],
}
VALUE_STATEMENTS = [
    "Requesters get an answer in hours instead of days. 请求者在数小时内而非数天内获得答复。",
    "Fewer repeat incidents and less overtime for the on-call team. 重复事件减少，值班团队加班减少。",
    "Lower run cost and a process that auditors can follow. 运行成本更低，流程可供审计追溯。",
    "Customers see a faster, more predictable service. 客户获得更快、更可预期的服务。",
    "节省每月约 {hours} 小时人工，并降低出错风险。",
    "Saves about {hours} staff hours per month and removes a manual hand-off.",
]
LESSON_TITLES = [
    ("Pilot before rollout", "先试点再推广"),
    ("Measure the baseline first", "先测量基线"),
    ("One owner, not a committee", "唯一负责人而非委员会"),
    ("Tell the requester what happened", "告知请求者结果"),
    ("Automation needs an owner", "自动化需要负责人"),
    ("Small reversible steps", "小步可回退"),
    ("Involve the supplier early", "尽早让供应商参与"),
    ("Keep the runbook next to the alert", "运行手册紧贴告警"),
]
LESSON_RECOMMENDATIONS = [
    "Run a two-week pilot with one team before committing the budget. 在投入预算前先用一个团队试点两周。",
    "Record the baseline measurement in the register before approval. 批准前在登记册中记录基线。",
    "Name one accountable owner in the record; shared ownership stalls. 记录中只写一位负责人。",
    "Answer every requester within five working days of a decision. 决定后五个工作日内答复请求者。",
    "Budget the maintenance of every automation, not only its build. 为自动化的维护而不仅是构建编列预算。",
    "把供应商纳入规划会议，避免实施阶段的意外。",
]
OBJECTIVES = [
    ("Customers recommend our digital services", "客户愿意推荐我们的数字服务", None),
    ("Reliable services, every day", "日复一日的可靠服务", None),
    ("Effortless work for colleagues", "让同事工作更轻松", None),
    ("Raise CSAT to 4.5", "客户满意度提升至 4.5", 1),
    ("Halve repeat contacts", "重复联系减半", 1),
    ("99.9% availability of critical services", "关键服务可用性达到 99.9%", 2),
    ("Cut change failure rate below 5%", "变更失败率降至 5% 以下", 2),
    ("Self-service for 60% of requests", "60% 的请求通过自助完成", 3),
    ("Onboarding ready on day one", "新员工入职第一天即可工作", 3),
    ("Reduce manual toil by 30%", "手工重复劳动减少 30%", 3),
]
GAP_DESCRIPTIONS = [
    "No documented process owner. 没有书面指定的流程负责人。",
    "Metrics are collected but not reviewed. 指标已采集但未被审阅。",
    "Tooling does not support automatic escalation. 工具不支持自动升级。",
    "Supplier responsibilities are not in the contract. 供应商职责未写入合同。",
    "Roles are defined but not trained. 角色已定义但未培训。",
    "知识文章缺少维护机制。",
    "价值流中存在多次不必要的交接。",
    "No trend analysis of recurring incidents. 缺少重复事件的趋势分析。",
]
HISTORY_NOTES = {
    "assessed": "Assessed at the weekly triage. 周例会完成评估。",
    "approved": "Approved by the CI board. 改进委员会批准。",
    "planned": "Plan and metrics agreed. 计划和指标已确认。",
    "in_progress": "Implementation started. 开始实施。",
    "evaluating": "Measuring results. 测量结果中。",
    "closed": "Closed after review. 回顾后关闭。",
    "rejected": "Rejected; requester informed. 已拒绝并通知请求者。",
    "deferred": "Deferred to a later quarter. 推迟到以后的季度。",
    "cancelled": "Cancelled. 已取消。",
}


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def slugify(text: str, max_len: int = 48) -> str:
    """Return a lowercase ASCII slug of ``text`` (at most ``max_len`` characters)."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0]
    return slug or "record"


def _bi(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


class _Dumper(yaml.CSafeDumper):
    """libyaml's safe dumper without anchors and aliases (people write none by hand)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _dump(front_matter: dict[str, Any], body: str) -> str:
    """Render one record file: YAML front matter between ``---`` lines, then the body."""
    text = yaml.dump(front_matter, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=False)
    return f"---\n{text}---\n\n{body.rstrip()}\n"


def _dump_config(data: dict[str, Any], header: str) -> str:
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None)
    return f"# {header}\n{text}"


@dataclass(frozen=True)
class Workflow:
    """The parts of site_config/workflow.yml the generator needs."""

    initial: str
    statuses: tuple[str, ...]
    transitions: dict[str, tuple[str, ...]]
    requires: dict[str, tuple[str, ...]]
    terminal: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> Workflow:
        """Read a workflow.yml file."""
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        statuses = data["statuses"]
        return cls(
            initial=data.get("initial") or next(iter(statuses)),
            statuses=tuple(statuses),
            transitions={k: tuple(v.get("transitions") or ()) for k, v in statuses.items()},
            requires={k: tuple(v.get("requires") or ()) for k, v in statuses.items()},
            terminal=frozenset(k for k, v in statuses.items() if v.get("terminal")),
        )

    def top_keys(self, status: str) -> set[str]:
        """Top-level keys that ``status`` requires (``a.b`` and ``a[].b`` count as ``a``)."""
        return {re.split(r"[.\[]", key, maxsplit=1)[0] for key in self.requires[status]}

    def distances_to(self, target: str) -> dict[str, int]:
        """Shortest number of transitions from each status that can reach ``target``."""
        reverse: dict[str, list[str]] = {s: [] for s in self.statuses}
        for src, dests in self.transitions.items():
            for dest in dests:
                reverse.setdefault(dest, []).append(src)
        dist = {target: 0}
        queue = deque([target])
        while queue:
            cur = queue.popleft()
            for src in reverse.get(cur, ()):
                if src not in dist:
                    dist[src] = dist[cur] + 1
                    queue.append(src)
        return dist


@dataclass
class Improvement:
    """An improvement under construction: its front matter plus what the body needs."""

    number: int
    fm: dict[str, Any]
    slug: str
    topic: tuple[str, str]
    service: tuple[str, str, str]
    team: tuple[str, str, str]


# --------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------


class Generator:
    """Build every record in memory, then write the project."""

    def __init__(self, n: int, seed: int, workflow: Workflow, id_formats: dict[str, str]):
        self.n = n
        self.rng = random.Random(seed)
        self.wf = workflow
        self.fmt = id_formats
        self.people: list[dict[str, Any]] = []
        self.person_ids: list[str] = []
        self.affect_pool: list[tuple[str, list[tuple[str, str, str]]]] = []
        self.affect_weights: list[int] = []
        self.n_lessons = max(1, n // 20)
        self.n_assessments = n // 200 + 1
        self.assessments: list[dict[str, Any]] = []
        self.improvements: list[Improvement] = []
        self.lesson_citers: dict[int, list[int]] = {}
        self.lesson_first_use: dict[int, dt.date] = {}
        self._dist_cache: dict[str, dict[str, int]] = {}
        self.top = {s: workflow.top_keys(s) for s in workflow.statuses}
        self.status_choices = [s for s in self.wf.statuses if self.wf.initial in self._dist(s)]
        self.status_weights = [STATUS_WEIGHTS.get(s, 4) for s in self.status_choices]
        unknown = set().union(*(self.top[s] for s in self.wf.statuses)) - KNOWN_KEYS
        if unknown:
            raise ValueError(f"workflow.yml requires keys the generator cannot produce: {', '.join(sorted(unknown))}")

    # -- ids ---------------------------------------------------------------------------

    def imp_id(self, i: int) -> str:
        return self.fmt["improvement"] % i

    def ll_id(self, i: int) -> str:
        return self.fmt["lesson"] % i

    def obj_id(self, i: int) -> str:
        return self.fmt["objective"] % i

    def asm_id(self, i: int) -> str:
        return self.fmt["assessment"] % i

    def _dist(self, target: str) -> dict[str, int]:
        if target not in self._dist_cache:
            self._dist_cache[target] = self.wf.distances_to(target)
        return self._dist_cache[target]

    def _date_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        if hi <= lo:
            return lo
        return lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))

    # -- configuration -----------------------------------------------------------------

    def build_people(self) -> dict[str, Any]:
        """60 people in 8 teams: mostly Chinese names with pinyin ids, some western."""
        rng = self.rng
        pairs = [(s, g) for s in SURNAMES for g in GIVEN_NAMES]
        rng.shuffle(pairs)
        team_ids = [t[0] for t in TEAMS]
        people: list[dict[str, Any]] = []
        for k, ((s_zh, s_py), (g_zh, g_py)) in enumerate(pairs[:50]):
            pid = f"{g_py}.{s_py}" if k % 7 == 3 else f"{s_py}.{g_py}"
            people.append({"id": pid, "name": s_zh + g_zh})
        for name in WESTERN_NAMES:
            first, last = name.lower().split()
            people.append({"id": f"{first}.{last}", "name": name})
        for k, person in enumerate(people):
            team = team_ids[k % len(team_ids)]
            person["team"] = team
            if rng.random() < 0.7:
                person["email"] = f"{person['id']}@example.com"
            if rng.random() < 0.6:
                person["roles"] = sorted(rng.sample(["L", "A", "C", "M", "T"], rng.randint(1, 3)))
        self.people = people
        self.person_ids = [p["id"] for p in people]
        return {
            "teams": [{"id": t, "name": _bi(en, zh)} for t, en, zh in TEAMS],
            "people": people,
        }

    def build_taxonomy(self) -> dict[str, Any]:
        """Services, products, practices, value streams, sources and value types."""

        def items(rows: list[tuple[str, str, str]]) -> list[dict[str, Any]]:
            return [{"key": k, "name": _bi(en, zh)} for k, en, zh in rows]

        self.affect_pool = [(kind, rows) for kind, rows, _ in AFFECT_KINDS]
        self.affect_weights = [w for _, _, w in AFFECT_KINDS]
        return {
            "services": items(SERVICES),
            "products": items(PRODUCTS),
            "practices": items(PRACTICES),
            "value_streams": items(VALUE_STREAMS),
            "sources": items(SOURCES),
            "value_types": items(VALUE_TYPES),
        }

    # -- supporting records --------------------------------------------------------------

    def build_assessments(self) -> None:
        """Assessments with gaps; gap ``improvement`` links are filled in later."""
        rng = self.rng
        for i in range(1, self.n_assessments + 1):
            practice = rng.choice(PRACTICES)
            level = rng.randint(1, 4)
            adate = self._date_between(START_DATE, REFERENCE_DATE - dt.timedelta(days=20))
            if i == 1:
                adate = START_DATE  # so improvements raised at any time can cite a gap
            fm: dict[str, Any] = {"id": self.asm_id(i)}
            if rng.random() < 0.85:
                fm["title"] = f"{practice[2]}能力评估 {adate.year} / {practice[1]} assessment"
            fm.update(
                {
                    "practice": practice[0],
                    "date": adate,
                    "assessor": rng.choice(self.person_ids),
                    "level": level,
                    "target_level": min(5, level + rng.randint(1, 2)),
                }
            )
            if rng.random() < 0.8:
                fm["dimensions"] = {
                    "organizations_people": rng.randint(1, 5),
                    "information_technology": rng.randint(1, 5),
                    "partners_suppliers": rng.randint(1, 5),
                    "value_streams_processes": rng.randint(1, 5),
                }
            fm["gaps"] = [
                {"id": f"G{g}", "description": d} for g, d in enumerate(rng.sample(GAP_DESCRIPTIONS, rng.randint(2, 6)), start=1)
            ]
            self.assessments.append(fm)

    def objectives(self) -> list[tuple[dict[str, Any], str]]:
        """Ten objectives: three top-level ones and seven children."""
        rng = self.rng
        out = []
        horizons = [dt.date(2026, 12, 31), dt.date(2027, 6, 30), dt.date(2028, 12, 31)]
        for i, (en, zh, parent) in enumerate(OBJECTIVES, start=1):
            kpis = []
            for m in rng.sample(METRICS, rng.randint(1, 3)):
                kpis.append({"name": f"{m[1]} / {m[0]}", "unit": m[2], "target": self._target_value(m, self._baseline_value(m))})
            fm: dict[str, Any] = {
                "id": self.obj_id(i),
                "title": f"{zh} / {en}",
                "owner": rng.choice(self.person_ids),
                "horizon": horizons[i % 3],
                "kpis": kpis,
            }
            if parent is not None:
                fm["parent"] = self.obj_id(parent)
            body = (
                f"# {zh}\n\n{en}.\n\n## 为什么 / Why\n\n"
                f"该目标源自组织愿景，并通过改进登记册中的举措逐步实现。\n\n"
                f"This objective cascades from the vision; the improvements that serve it "
                f"are listed on this page by the portal.\n"
            )
            out.append((fm, body))
        return out

    def lessons(self) -> list[tuple[dict[str, Any], str, str]]:
        """Lessons, each listing the improvements that cite it."""
        rng = self.rng
        out = []
        for i in range(1, self.n_lessons + 1):
            citers = sorted(set(self.lesson_citers.get(i, [])))
            if not citers and rng.random() < 0.5:
                citers = sorted(rng.sample(range(1, self.n + 1), min(self.n, rng.randint(1, 2))))
            t_en, t_zh = rng.choice(LESSON_TITLES)
            ldate = self.lesson_first_use.get(i) or self._date_between(START_DATE, REFERENCE_DATE)
            fm: dict[str, Any] = {
                "id": self.ll_id(i),
                "title": f"{t_zh}：{t_en}" if rng.random() < 0.5 else f"{t_en} ({t_zh})",
                "date": ldate,
                "author": rng.choice(self.person_ids),
                "kind": rng.choices(["success", "failure", "observation"], [5, 2, 3])[0],
                "recommendation": rng.choice(LESSON_RECOMMENDATIONS),
                "improvements": [self.imp_id(c) for c in citers],
            }
            if citers and rng.random() < 0.5:
                fm["affects"] = list(self.improvements[citers[0] - 1].fm["affects"])
            if rng.random() < 0.6:
                fm["tags"] = sorted(set(rng.sample(TAGS, rng.randint(1, 3))))
            body = (
                "## 发生了什么 / What happened\n\n"
                + rng.choice(ZH_FRAGMENTS["results"]).format(**self._body_vars_plain())
                + "\n\n"
                + rng.choice(EN_FRAGMENTS["results"]).format(**self._body_vars_plain())
                + "\n\n"
                + "## 学到了什么 / What we learned\n\n"
                + rng.choice(ZH_FRAGMENTS["lessons"])
                + "\n\n"
                + rng.choice(EN_FRAGMENTS["lessons"])
                + "\n"
            )
            out.append((fm, slugify(t_en), body))
        return out

    def _body_vars_plain(self) -> dict[str, Any]:
        rng = self.rng
        m = rng.choice(METRICS)
        b = self._baseline_value(m)
        return {
            "metric": m[0],
            "metric_zh": m[1],
            "unit": m[2],
            "baseline": b,
            "latest": self._target_value(m, b),
            "weeks": rng.randint(4, 30),
        }

    # -- improvements --------------------------------------------------------------------

    def _path(self, target: str) -> list[str]:
        """A valid sequence of statuses from the initial one to ``target``.

        A record that ends in a terminal status first goes through a random open status
        from which the terminal one is allowed (cancelled during implementation, rejected
        after assessment), so terminal records carry the keys of the stages they reached.
        """
        if target not in self.wf.terminal:
            return self._walk(self.wf.initial, target)
        dist = self._dist(target)
        vias = [s for s in self.status_choices if s not in self.wf.terminal and s in dist]
        if not vias:
            return self._walk(self.wf.initial, target)
        via = self.rng.choices(vias, [STATUS_WEIGHTS.get(s, 4) for s in vias])[0]
        return self._walk(self.wf.initial, via, stop=1.0) + self._walk(via, target)[1:]

    def _walk(self, start: str, target: str, stop: float = 0.85) -> list[str]:
        """A random valid sequence of statuses from ``start`` to ``target``.

        Mostly moves closer to ``target``; sometimes takes a detour the workflow allows
        (deferred and assessed again, another implementation iteration).
        """
        rng = self.rng
        dist = self._dist(target)
        cur = start
        path = [cur]
        while True:
            options = [t for t in self.wf.transitions[cur] if t in dist]
            if cur == target and (not options or rng.random() < stop or len(path) > 10):
                return path
            forward = [t for t in options if dist[t] < dist[cur]]
            go_forward = bool(forward) and (rng.random() < 0.9 or len(path) > 10)
            cur = rng.choice(forward if go_forward else options)
            path.append(cur)

    def _baseline_value(self, m: tuple[Any, ...]) -> float | int:
        lo, hi, dec = m[4], m[5], m[6]
        value = round(self.rng.uniform(lo, hi), dec)
        return int(value) if dec == 0 else value

    def _target_value(self, m: tuple[Any, ...], baseline: float | int) -> float | int:
        rng = self.rng
        unit, direction, dec = m[2], m[3], m[6]
        if unit == "%":
            gap = (100 - baseline) if direction == "increase" else baseline
            delta = gap * rng.uniform(0.2, 0.6)
        elif unit == "points" and m[5] < 10:
            delta = (5 - baseline) * rng.uniform(0.3, 0.7)
        else:
            delta = abs(baseline) * rng.uniform(0.15, 0.5) + 1
        value = baseline + delta if direction == "increase" else baseline - delta
        value = round(value, dec)
        return int(value) if dec == 0 else value

    def _metrics(self, base_date: dt.date, target_date: dt.date, end: dt.date, outcome: str | None) -> list[dict[str, Any]]:
        rng = self.rng
        reach = {"achieved": 1.05, "partially_achieved": 0.55, "not_achieved": 0.1}.get(outcome or "", rng.uniform(0.2, 0.8))
        out = []
        for m in rng.sample(METRICS, rng.randint(1, 3)):
            base = self._baseline_value(m)
            target = self._target_value(m, base)
            dec = m[6]
            name = rng.choice([m[0], m[1], f"{m[1]} ({m[0]})"])
            metric: dict[str, Any] = {
                "name": name,
                "unit": m[2],
                "direction": m[3],
                "baseline": {"value": base, "date": base_date},
                "target": {"value": target, "date": target_date},
            }
            span = (end - base_date).days
            k = min(rng.randint(3, 12), max(span, 0))
            offsets = sorted(rng.sample(range(1, span + 1), k)) if k else []
            measurements = []
            for j, off in enumerate(offsets, start=1):
                progress = reach * j / len(offsets)
                noise = rng.uniform(-0.05, 0.05) * (abs(target - base) + 0.01)
                value = round(base + (target - base) * progress + noise, dec)
                measurements.append({"date": base_date + dt.timedelta(days=off), "value": int(value) if dec == 0 else value})
            metric["measurements"] = measurements
            out.append(metric)
        return out

    def _business_case(self, topic: tuple[str, str], service: tuple[str, str, str]) -> dict[str, str]:
        rng = self.rng
        hours = rng.randint(10, 400)
        return {
            "problem": f"{service[2]}的{topic[1]}耗时且容易出错。 {topic[0].capitalize()} "
            f"on {service[1]} is slow and error-prone.",
            "solution": rng.choice(
                [
                    f"Automate {topic[0]} with the existing workflow platform.",
                    f"统一{topic[1]}流程并建立知识文章。",
                    f"Pilot a self-service form for {topic[0]}, then roll out.",
                ]
            ),
            "key_metrics": rng.choice(
                ["MTTR, first-call resolution", "工单量、满意度", "change failure rate", "cost per request"]
            ),
            "value_proposition": f"Faster, predictable {topic[0]} for every requester.",
            "unfair_advantage": rng.choice(
                [
                    "We already own the automation platform.",
                    "服务台已掌握全部数据。",
                    "Existing supplier contract covers the tooling.",
                ]
            ),
            "customer_segments": rng.choice(["All staff", "一线员工", "Enterprise customers", "合作伙伴 partners"]),
            "channels": rng.choice(["Service portal and Teams", "服务门户、邮件", "Monthly service review"]),
            "cost_structure": f"About {rng.randint(2, 40)} person-days plus licences. 约 {rng.randint(1, 20)} 万元。",
            "benefits": f"Saves about {hours} staff hours per month. 每月节省约 {hours} 小时。",
        }

    def _requester(self) -> str:
        if self.rng.random() < 0.08:
            return self.rng.choice(EXTERNAL_REQUESTERS)
        return self.rng.choice(self.person_ids)

    def _affects(self) -> list[str]:
        rng = self.rng
        out: list[str] = []
        for _ in range(rng.choices([1, 2, 3], [6, 3, 1])[0]):
            kind, rows = rng.choices(self.affect_pool, self.affect_weights)[0]
            ref = f"{kind}/{rng.choice(rows)[0]}"
            if ref not in out:
                out.append(ref)
        return out

    def _source_ref(self, source: str, raised: dt.date, number: int) -> tuple[str | None, str]:
        """Return (source_ref, source); assessment refs point at a real gap."""
        rng = self.rng
        if source == "assessment":
            candidates = [a for a in self.assessments if a["date"] <= raised]
            if not candidates:
                return None, "review"
            asm = rng.choice(candidates[-8:])
            gap = rng.choice(asm["gaps"])
            gap.setdefault("improvement", self.imp_id(number))
            return f"{asm['id']}#{gap['id']}", source
        if rng.random() > 0.85:
            return None, source
        ref = {
            "incident": f"INC-{rng.randint(100000, 999999)}",
            "problem": f"PRB-{rng.randint(1000, 9999)}",
            "risk": f"RISK-{rng.randint(100, 999)}",
            "audit": f"AUD-{raised.year}-{rng.randint(1, 12):02d}",
            "customer_feedback": f"https://feedback.example.com/t/{rng.randint(1000, 99999)}",
            "supplier": f"SUP-QBR-{raised.year}Q{(raised.month - 1) // 3 + 1}",
            "metric": "https://grafana.example.com/d/service-kpis",
            "review": f"PIR-{rng.randint(100, 999)}",
            "staff_idea": f"IDEA-{rng.randint(1, 5000)}",
        }.get(source)
        return ref, source

    def build_improvement(self, i: int) -> Improvement:
        """One improvement with a valid history and every key its status requires."""
        rng = self.rng
        wf = self.wf
        status = rng.choices(self.status_choices, self.status_weights)[0]
        path = self._path(status)
        gaps = [rng.randint(*GAP_DAYS.get(s, DEFAULT_GAP)) for s in path[1:]]
        needs = set(ALWAYS_KEYS) | self.top[status]
        for s in path[:-1]:
            if s not in wf.terminal:
                needs |= self.top[s]
        has_metrics = "metrics" in needs
        tail = 21 if has_metrics and status not in wf.terminal else 0
        latest_raised = REFERENCE_DATE - dt.timedelta(days=sum(gaps) + tail)
        raised = self._date_between(START_DATE, latest_raised)
        if raised < START_DATE:
            raised = START_DATE
        dates = [raised]
        for g in gaps:
            dates.append(dates[-1] + dt.timedelta(days=g))
        entered: dict[str, dt.date] = {}
        for s, d in zip(path, dates, strict=True):
            entered.setdefault(s, d)
        final_date = dates[-1]

        topic = rng.choice(TOPICS)
        action = rng.choice(ACTIONS)
        kind, rows = rng.choices(self.affect_pool, self.affect_weights)[0]
        item = rng.choice(rows)
        team = rng.choice(TEAMS)
        service = rng.choice(SERVICES)
        style = rng.random()
        if style < 0.4:
            title = f"{item[2]}{topic[1]}{action[1]}"
        elif style < 0.75:
            title = f"{action[0]} {topic[0]} for {item[1]}"
        else:
            title = f"{item[2]}：{action[0].lower()} {topic[0]}"
        slug = slugify(f"{action[0]} {topic[0]} {item[0]}")

        fm: dict[str, Any] = {}
        fm["id"] = self.imp_id(i)
        fm["title"] = title[:120]
        fm["status"] = status
        fm["raised"] = raised
        fm["requester"] = self._requester()
        source = rng.choices([s[0] for s in SOURCES], SOURCE_WEIGHTS)[0]
        source_ref, source = self._source_ref(source, raised, i)
        fm["source"] = source
        if source_ref:
            fm["source_ref"] = source_ref
        affects = [f"{kind}/{item[0]}", *self._affects()]
        fm["affects"] = list(dict.fromkeys(affects))[:3]

        optional_early = status == wf.initial and rng.random() < 0.5
        if needs & {"urgency", "cost", "value"} or optional_early:
            fm["urgency"] = rng.choices(["high", "medium", "low"], [2, 5, 3])[0]
            fm["cost"] = rng.choices(["high", "medium", "low"], [2, 5, 4])[0]
            if rng.random() < 0.5:
                fm["cost_estimate"] = {"amount": rng.randint(5, 500) * 1000, "currency": "CNY"}
            fm["value"] = rng.choice(VALUE_STATEMENTS).format(hours=rng.randint(10, 400))
            if rng.random() < 0.85:
                fm["value_types"] = sorted(rng.sample([v[0] for v in VALUE_TYPES], rng.randint(1, 3)))
        if "owner" in needs or rng.random() < 0.4:
            fm["owner"] = rng.choice(self.person_ids)
        if "objectives" in needs:
            fm["objectives"] = sorted(self.obj_id(k) for k in rng.sample(range(1, 11), rng.randint(1, 2)))
        if "business_case" in needs:
            fm["business_case"] = self._business_case(topic, service)
        approved_on = None
        if "approved_on" in needs or "approved_by" in needs:
            approved_on = next((entered[s] for s in path if "approved_on" in self.top[s]), raised)
            fm["approved_by"] = rng.choice(self.person_ids)
            fm["approved_on"] = approved_on
        planned_on = next((entered[s] for s in path if "plan" in self.top[s]), approved_on or raised)
        drafting = approved_on is not None and "plan" not in needs and rng.random() < 0.4
        if "plan" in needs or drafting:
            fm["plan"] = (
                rng.choice(EN_FRAGMENTS["plan"]).format(service=service[1])
                + " "
                + rng.choice(ZH_FRAGMENTS["plan"]).format(service_zh=service[2])
            )
            if rng.random() < 0.85:
                fm["definition_of_done"] = rng.choice(
                    [
                        "Target reached for two consecutive months. 连续两个月达到目标。",
                        "Runbook published and team trained. 运行手册已发布且团队完成培训。",
                        "All sites migrated and old process switched off.",
                        "所有请求通过新表单提交，旧邮箱关闭。",
                    ]
                )
        target_date = planned_on + dt.timedelta(days=rng.randint(30, 240))
        if "target_date" in needs or drafting:
            fm["target_date"] = target_date
        closes = "closed_on" in self.top[status]
        outcome = None
        if "outcome" in needs:
            outcome = rng.choices(["achieved", "partially_achieved", "not_achieved"], [6, 3, 1])[0]
        if has_metrics:
            base_date = self._date_between(approved_on or raised, planned_on)
            end = final_date if closes else REFERENCE_DATE
            fm["metrics"] = self._metrics(base_date, target_date, end, outcome)
        if closes:
            fm["closed_on"] = final_date
        if outcome:
            fm["outcome"] = outcome
        if "lessons" in needs:
            chosen = sorted(rng.sample(range(1, self.n_lessons + 1), min(self.n_lessons, rng.randint(1, 2))))
            fm["lessons"] = [self.ll_id(k) for k in chosen]
            for k in chosen:
                self.lesson_citers.setdefault(k, []).append(i)
                first = self.lesson_first_use.get(k)
                if first is None or final_date < first:
                    self.lesson_first_use[k] = final_date
        if "reason" in needs:
            fm["reason"] = rng.choice(REASONS.get(status, REASONS["cancelled"]))
        decided_on = final_date if closes else approved_on
        if decided_on is not None and rng.random() < 0.65:
            # The decision (approval, rejection, closure) was answered to the requester.
            fm["originator_notified"] = min(decided_on + dt.timedelta(days=rng.randint(0, 10)), REFERENCE_DATE)
        if rng.random() < 0.05:
            fm["escalated"] = True
        if rng.random() < 0.9:
            history = []
            for s, d in zip(path, dates, strict=True):
                entry: dict[str, Any] = {"date": d, "status": s}
                if rng.random() < 0.4 and s in HISTORY_NOTES:
                    entry["note"] = HISTORY_NOTES[s]
                history.append(entry)
            fm["history"] = history
        if rng.random() < 0.9:
            fm["tags"] = sorted(set(rng.sample(TAGS, rng.randint(1, 4))))
        if approved_on and rng.random() < 0.8:
            fm["planned_cost"] = rng.randint(2, 300) * 1000
        if (outcome and rng.random() < 0.8) or (has_metrics and rng.random() < 0.3):
            fm["actual_cost"] = rng.randint(2, 400) * 1000
        if outcome:
            if rng.random() < 0.6:
                fm["satisfaction"] = rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 6, 4])[0]
            if outcome == "not_achieved" and rng.random() < 0.4:
                fm["negative_outcome"] = True
        if i > 1 and rng.random() < 0.4:
            fm["related"] = [self.imp_id(k) for k in sorted(set(rng.randint(1, i - 1) for _ in range(rng.randint(1, 3))))]
        if i > 1 and rng.random() < 0.03:
            older = rng.randint(1, i - 1)
            if self.imp_id(older) not in fm.get("related", []):
                fm["supersedes"] = [self.imp_id(older)]

        ordered = {k: fm[k] for k in IMPROVEMENT_KEY_ORDER if k in fm}
        return Improvement(i, ordered, slug, topic, service, team)

    def improvement_body(self, imp: Improvement) -> str:
        """A bilingual body of roughly 300-600 words, built from varied fragments."""
        rng = self.rng
        fm = imp.fm
        metric = (fm.get("metrics") or [None])[0]
        m = rng.choice(METRICS)
        baseline = metric["baseline"]["value"] if metric else self._baseline_value(m)
        target = metric["target"]["value"] if metric else self._target_value(m, baseline)
        latest = metric["measurements"][-1]["value"] if metric and metric["measurements"] else baseline
        values = {
            "service": imp.service[1],
            "service_zh": imp.service[2],
            "team": imp.team[1],
            "team_zh": imp.team[2],
            "topic": imp.topic[0],
            "topic_zh": imp.topic[1],
            "metric": metric["name"] if metric else m[0],
            "metric_zh": metric["name"] if metric else m[1],
            "unit": metric["unit"] if metric else m[2],
            "baseline": baseline,
            "target": target,
            "latest": latest,
            "target_date": fm.get("target_date", REFERENCE_DATE).isoformat(),
            "n": rng.randint(12, 400),
            "weeks": rng.randint(4, 26),
            "days": rng.randint(2, 15),
            "pct": rng.randint(10, 45),
        }
        sections = ["background", "current", "target"]
        if "plan" in fm:
            sections.append("plan")
        if fm.get("metrics") and any(mm["measurements"] for mm in fm["metrics"]):
            sections.append("results")
        if "lessons" in fm or rng.random() < 0.2:
            sections.append("lessons")
        parts = [f"# {fm['title']}\n"]
        lo, hi = (3, 5) if len(sections) <= 4 else (2, 4)
        for sec in sections:
            parts.append(SECTION_HEADINGS[sec] + "\n")
            zh = rng.sample(ZH_FRAGMENTS[sec], min(len(ZH_FRAGMENTS[sec]), rng.randint(lo, hi)))
            en = rng.sample(EN_FRAGMENTS[sec], min(len(EN_FRAGMENTS[sec]), rng.randint(lo, hi)))
            zh_par = "".join(s.format(**values) for s in zh)
            en_par = " ".join(s.format(**values) for s in en)
            if rng.random() < 0.5:
                parts += [zh_par + "\n", en_par + "\n"]
            else:
                parts += [en_par + "\n", zh_par + "\n"]
            if sec == "plan" and rng.random() < 0.5:
                steps = rng.sample(EN_FRAGMENTS["plan"] + ZH_FRAGMENTS["plan"], 3)
                parts.append("\n".join(f"{k}. {s.format(**values)}" for k, s in enumerate(steps, 1)) + "\n")
            if sec == "results" and metric and rng.random() < 0.5:
                rows = ["| 日期 Date | 值 Value |", "| --- | ---: |"]
                rows += [f"| {x['date'].isoformat()} | {x['value']} |" for x in metric["measurements"][-4:]]
                parts.append("\n".join(rows) + "\n")
        return "\n".join(parts)

    # -- orchestration -------------------------------------------------------------------

    def run(self, out: Path) -> None:
        """Build every record and write the project into ``out``."""
        cfg = out / "site_config"
        cfg.mkdir(parents=True, exist_ok=True)
        for name in ("workflow.yml", "portal.yml"):
            shutil.copyfile(REPO_ROOT / "site_config" / name, cfg / name)
        people = self.build_people()
        taxonomy = self.build_taxonomy()
        (cfg / "people.yml").write_text(_dump_config(people, "People and teams (synthetic)."), encoding="utf-8")
        (cfg / "taxonomy.yml").write_text(_dump_config(taxonomy, "Taxonomy (synthetic)."), encoding="utf-8")
        schemas = REPO_ROOT / "schemas"
        if schemas.is_dir():
            shutil.copytree(schemas, out / "schemas", dirs_exist_ok=True)

        content = out / "content"
        for sub in ("improvements", "lessons", "objectives", "assessments"):
            (content / sub).mkdir(parents=True, exist_ok=True)
        (content / "index.md").write_text(
            "# 持续改进登记册 / Continual improvement register\n\n"
            f"本登记册为合成数据，共 {self.n} 条改进记录，用于基准测试。\n\n"
            f"A synthetic register of {self.n} improvements, generated for benchmarks.\n",
            encoding="utf-8",
        )

        self.build_assessments()
        for i in range(1, self.n + 1):
            self.improvements.append(self.build_improvement(i))
        for imp in self.improvements:
            path = content / "improvements" / f"{imp.fm['id']}-{imp.slug}.md"
            path.write_text(_dump(imp.fm, self.improvement_body(imp)), encoding="utf-8")
        for fm, slug, body in self.lessons():
            path = content / "lessons" / f"{fm['id']}-{slug}.md"
            path.write_text(_dump(fm, body), encoding="utf-8")
        for fm, body in self.objectives():
            path = content / "objectives" / f"{fm['id']}-{slugify(fm['title'])}.md"
            path.write_text(_dump(fm, body), encoding="utf-8")
        for fm in self.assessments:
            practice = next(p for p in PRACTICES if p[0] == fm["practice"])
            body = (
                f"## 评估摘要 / Summary\n\n{practice[2]}当前能力等级为 {fm['level']}，"
                f"目标等级为 {fm['target_level']}。\n\n"
                f"{practice[1]} is at capability level {fm['level']}; the target is "
                f"{fm['target_level']}. Each gap of this assessment flows into the "
                f"improvement register.\n"
            )
            slug = slugify(f"{fm['practice']} {fm['date'].year}")
            (content / "assessments" / f"{fm['id']}-{slug}.md").write_text(_dump(fm, body), encoding="utf-8")


def _id_formats(portal_yml: Path) -> dict[str, str]:
    """printf formats for record ids, from portal.yml ``id_prefixes`` (spec defaults)."""
    defaults = {"improvement": ("IMP", 4), "lesson": ("LL", 4), "objective": ("OBJ", 2), "assessment": ("ASM", 4)}
    data = yaml.load(portal_yml.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
    conf = data.get("id_prefixes") or {}
    out = {}
    for kind, (prefix, digits) in defaults.items():
        entry = conf.get(kind) or {}
        out[kind] = f"{entry.get('prefix', prefix)}-%0{int(entry.get('digits', digits))}d"
    return out


def generate(n: int, out: Path, seed: int = 42, *, force: bool = False) -> None:
    """Write a synthetic project with ``n`` improvements (plus supporting records) to ``out``.

    ``out`` must be empty or absent; with ``force``, the generated sub-folders
    (content/, site_config/, schemas/) are replaced.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        if not force:
            raise FileExistsError(f"{out} is not empty (use force=True / --force)")
        for sub in ("content", "site_config", "schemas", ".cir-cache"):
            if (out / sub).is_dir():
                shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)
    workflow = Workflow.load(REPO_ROOT / "site_config" / "workflow.yml")
    formats = _id_formats(REPO_ROOT / "site_config" / "portal.yml")
    Generator(n, seed, workflow, formats).run(out)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of improvement records")
    parser.add_argument("outdir", type=Path, help="folder to write the project into")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--force", action="store_true", help="replace content/, site_config/ and schemas/ in a non-empty OUTDIR")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        generate(args.n, args.outdir, args.seed, force=args.force)
    except (FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.n} improvements to {args.outdir} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
