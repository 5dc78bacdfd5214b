"""User-interface strings of the portal in English and Chinese."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "register": {"en": "Register", "zh": "改进登记册"},
    "board": {"en": "Status board", "zh": "状态看板"},
    "cascade": {"en": "Objectives cascade", "zh": "目标分解"},
    "governance": {"en": "Governance", "zh": "治理视图"},
    "guide": {"en": "How to contribute", "zh": "贡献指南"},
    "browse": {"en": "Browse", "zh": "浏览"},
    "people": {"en": "People", "zh": "人员"},
    "teams": {"en": "Teams", "zh": "团队"},
    "services": {"en": "Services", "zh": "服务"},
    "products": {"en": "Products", "zh": "产品"},
    "practices": {"en": "Practices", "zh": "实践"},
    "value_streams": {"en": "Value streams", "zh": "价值流"},
    "tags": {"en": "Tags", "zh": "标签"},
    "id": {"en": "Id", "zh": "标识"},
    "title": {"en": "Title", "zh": "名称"},
    "status": {"en": "Status", "zh": "状态"},
    "owner": {"en": "Owner", "zh": "负责人"},
    "team": {"en": "Team", "zh": "团队"},
    "requester": {"en": "Requester", "zh": "请求者"},
    "source": {"en": "Source", "zh": "来源"},
    "affects": {"en": "Affects", "zh": "受影响对象"},
    "urgency": {"en": "Urgency", "zh": "紧急度"},
    "cost": {"en": "Cost", "zh": "成本"},
    "value": {"en": "Value", "zh": "价值/收益"},
    "value_types": {"en": "Value types", "zh": "价值类型"},
    "raised": {"en": "Raised", "zh": "提出日期"},
    "approved": {"en": "Approved", "zh": "批准"},
    "target_date": {"en": "Target date", "zh": "目标日期"},
    "closed_on": {"en": "Closed", "zh": "关闭日期"},
    "outcome": {"en": "Outcome", "zh": "结果"},
    "reason": {"en": "Reason", "zh": "原因"},
    "objectives": {"en": "Objectives", "zh": "目标"},
    "lessons": {"en": "Lessons learned", "zh": "经验教训"},
    "related": {"en": "Related", "zh": "相关改进"},
    "supersedes": {"en": "Supersedes", "zh": "取代"},
    "part_of": {"en": "Part of initiative", "zh": "所属举措"},
    "supporters": {"en": "Supporters", "zh": "支持者"},
    "initiative": {"en": "Initiative", "zh": "举措"},
    "plan": {"en": "Plan", "zh": "改进计划"},
    "definition_of_done": {"en": "Definition of done", "zh": "完成定义"},
    "business_case": {"en": "Business case (Lean Canvas)", "zh": "业务论证（精益画布）"},
    "metrics": {"en": "Metrics", "zh": "指标"},
    "history": {"en": "History", "zh": "历史"},
    "gap": {"en": "Closes assessment gap", "zh": "关闭评估差距"},
    "escalated": {"en": "Escalated to the governance board", "zh": "已上报治理委员会"},
    "notified": {"en": "Decision answered to requester", "zh": "已答复请求者"},
    "not_notified": {"en": "Decision not yet answered to requester", "zh": "尚未答复请求者"},
    "satisfaction": {"en": "Satisfaction", "zh": "满意度"},
    "planned_cost": {"en": "Planned cost", "zh": "计划成本"},
    "actual_cost": {"en": "Actual cost", "zh": "实际成本"},
    "cost_estimate": {"en": "Cost estimate", "zh": "成本估算"},
    "name": {"en": "Name", "zh": "名称"},
    "unit": {"en": "Unit", "zh": "单位"},
    "direction": {"en": "Better when", "zh": "改进方向"},
    "increase": {"en": "higher", "zh": "越高越好"},
    "decrease": {"en": "lower", "zh": "越低越好"},
    "baseline": {"en": "Baseline", "zh": "基线"},
    "target": {"en": "Target", "zh": "目标"},
    "latest": {"en": "Latest", "zh": "最新值"},
    "measurements": {"en": "Measurements", "zh": "测量值"},
    "date": {"en": "Date", "zh": "日期"},
    "note": {"en": "Note", "zh": "备注"},
    "step": {"en": "Step", "zh": "步骤"},
    "pdca": {"en": "PDCA", "zh": "PDCA"},
    "author": {"en": "Author", "zh": "作者"},
    "kind": {"en": "Kind", "zh": "类型"},
    "recommendation": {"en": "Recommendation", "zh": "建议"},
    "improvements": {"en": "Improvements", "zh": "改进"},
    "horizon": {"en": "Horizon", "zh": "期限"},
    "kpis": {"en": "KPIs", "zh": "关键绩效指标"},
    "parent": {"en": "Contributes to", "zh": "上级目标"},
    "children": {"en": "Sub-objectives", "zh": "下级目标"},
    "practice": {"en": "Practice", "zh": "实践"},
    "assessor": {"en": "Assessor", "zh": "评估人"},
    "level": {"en": "Capability level", "zh": "能力等级"},
    "target_level": {"en": "Target level", "zh": "目标等级"},
    "dimensions": {"en": "Dimensions", "zh": "四个维度"},
    "gaps": {"en": "Gaps", "zh": "差距"},
    "description": {"en": "Description", "zh": "描述"},
    "no_improvement": {"en": "no improvement yet", "zh": "尚无改进"},
    "contributing": {"en": "Contributing improvements", "zh": "贡献的改进"},
    "vision": {"en": "Vision", "zh": "愿景"},
    "count": {"en": "Records", "zh": "记录数"},
    "filter": {"en": "Filter", "zh": "筛选"},
    "all": {"en": "All", "zh": "全部"},
    "search_text": {"en": "Search id, title, value…", "zh": "搜索标识、名称、价值…"},
    "showing": {"en": "Showing", "zh": "显示"},
    "of": {"en": "of", "zh": "/"},
    "prev": {"en": "Previous", "zh": "上一页"},
    "next": {"en": "Next", "zh": "下一页"},
    "downloads": {"en": "Download the register", "zh": "下载登记册"},
    "noscript": {"en": "The interactive register needs JavaScript; download the CSV instead.",
                 "zh": "交互式登记册需要 JavaScript；请改为下载 CSV。"},
    "age": {"en": "days in status", "zh": "天（当前状态）"},
    "show_all": {"en": "Show all", "zh": "显示全部"},
    "as_of": {"en": "As of", "zh": "截至"},
    "gov_escalated": {"en": "Escalated: priority disputed or unclear", "zh": "已上报：优先级有争议或不明确"},
    "gov_awaiting": {"en": "Awaiting approval", "zh": "等待批准"},
    "gov_unanswered": {"en": "Decisions not yet answered to their originator", "zh": "尚未答复发起人的决定"},
    "gov_stuck": {"en": "Stuck: no status change for more than {days} days", "zh": "停滞：超过 {days} 天未变更状态"},
    "none": {"en": "None.", "zh": "无。"},
    "days": {"en": "days", "zh": "天"},
    "since": {"en": "Since", "zh": "起始"},
    "field": {"en": "Key", "zh": "字段"},
    "required_from": {"en": "Required from", "zh": "必填自"},
    "allowed": {"en": "Allowed values", "zh": "允许值"},
    "always": {"en": "always", "zh": "始终"},
    "audience_public": {"en": "public", "zh": "公开"},
    "audience_internal": {"en": "internal", "zh": "内部"},
    "audience_restricted": {"en": "restricted", "zh": "受限"},
    "optional": {"en": "optional", "zh": "可选"},
    "template": {"en": "Template", "zh": "模板"},
    "transitions": {"en": "May move to", "zh": "可转到"},
    "workflow": {"en": "Workflow", "zh": "工作流"},
    "feed": {"en": "Atom feed", "zh": "Atom 订阅"},
    "edit_source": {"en": "Source file", "zh": "源文件"},
    "improvement": {"en": "Improvement", "zh": "改进记录"},
    "lesson": {"en": "Lesson", "zh": "经验教训"},
    "objective": {"en": "Objective", "zh": "目标"},
    "assessment": {"en": "Assessment", "zh": "评估"},
    "high": {"en": "high", "zh": "高"},
    "medium": {"en": "medium", "zh": "中"},
    "low": {"en": "low", "zh": "低"},
    "achieved": {"en": "achieved", "zh": "已达成"},
    "partially_achieved": {"en": "partially achieved", "zh": "部分达成"},
    "not_achieved": {"en": "not achieved", "zh": "未达成"},
    "success": {"en": "success", "zh": "成功"},
    "failure": {"en": "failure", "zh": "失败"},
    "observation": {"en": "observation", "zh": "观察"},
    "open_records": {"en": "Open", "zh": "进行中"},
    "finished_records": {"en": "Finished", "zh": "已结束"},
    "lean_problem": {"en": "Problem", "zh": "问题"},
    "lean_solution": {"en": "Solution", "zh": "解决方案"},
    "lean_key_metrics": {"en": "Key metrics", "zh": "关键指标"},
    "lean_value_proposition": {"en": "Value proposition", "zh": "价值主张"},
    "lean_unfair_advantage": {"en": "Unfair advantage", "zh": "竞争优势"},
    "lean_customer_segments": {"en": "Customer segments", "zh": "客户细分"},
    "lean_channels": {"en": "Channels", "zh": "渠道"},
    "lean_cost_structure": {"en": "Cost structure", "zh": "成本结构"},
    "lean_benefits": {"en": "Benefits", "zh": "收益预测"},
    "step_1": {"en": "What is the vision?", "zh": "愿景是什么"},
    "step_2": {"en": "Where are we now?", "zh": "我们现在在哪里"},
    "step_3": {"en": "Where do we want to be?", "zh": "我们想去哪里"},
    "step_4": {"en": "How do we get there?", "zh": "我们如何到达"},
    "step_5": {"en": "Take action", "zh": "采取行动"},
    "step_6": {"en": "Did we get there?", "zh": "我们到达了吗"},
    "step_7": {"en": "How do we keep the momentum going?", "zh": "如何保持发展势头"},
    "feed_raised": {"en": "Raised", "zh": "提出"},
    "feed_closed": {"en": "Closed", "zh": "关闭"},
    # accessibility: the skip link, landmarks and regions, the serve-mode problems banner
    "skip_to_content": {"en": "Skip to content", "zh": "跳转到正文"},
    "paging": {"en": "Pages of the register", "zh": "登记册分页"},
    "board_columns": {"en": "Status columns (scroll sideways)", "zh": "状态列（可横向滚动）"},
    "problems_title": {"en": "{n} validation error(s): these records are not published until fixed",
                       "zh": "{n} 个校验错误：这些记录修正之前不会发布"},
    "problems_more": {"en": "… {n} more: run", "zh": "……另有 {n} 个：请运行"},
}


#: The portal's languages: every UI string is written in each of them.
LANGUAGES = ("en", "zh")
#: Keys looked up but not in the catalogue, and (key, language) pairs that fell back to English:
#: a test renders the example portal in both languages and expects both to stay empty.
MISSING: set[str] = set()
UNTRANSLATED: set[tuple[str, str]] = set()


def missing_languages(strings: dict[str, dict[str, str]]) -> list[str]:
    """``key: language`` of every entry that lacks a language or has an empty text in one."""
    return [f"{key}: {lang}" for key, texts in strings.items() for lang in LANGUAGES
            if not isinstance(texts.get(lang), str) or not texts[lang].strip()]


def register_strings(strings: dict[str, dict[str, str]]) -> None:
    """Add a view module's own UI strings (``{key: {"en": ..., "zh": ...}}``); each needs every language."""
    lacking = missing_languages(strings)
    if lacking:
        raise ValueError(f"UI strings without a translation: {', '.join(lacking)}")
    for key, texts in strings.items():
        if key in STRINGS and STRINGS[key] != texts:
            raise ValueError(f"UI string {key!r} is defined twice with different texts")
        STRINGS[key] = texts


class Translator:
    """Looks up UI strings in the site language, falling back to English."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, key: str, **kwargs: object) -> str:
        entry = STRINGS.get(key)
        if entry is None:
            if key:
                MISSING.add(key)
            return key
        text = entry.get(self.lang)
        if not text:
            UNTRANSLATED.add((key, self.lang))
            text = entry["en"]
        return text.format(**kwargs) if kwargs else text
