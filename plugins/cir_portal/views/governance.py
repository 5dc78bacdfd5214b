"""The governance view: what waits for a decision, what was escalated, whom nobody answered,
and what has not moved for too long."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial

from cir_portal.core.model import Improvement
from cir_portal.views.context import GOVERNANCE_PAGE, Site
from cir_portal.views.markup import esc, table
from cir_portal.views.page import Page


def pages(site: Site) -> list[Page]:
    return [governance_page(site)]


def approval_gate(site: Site) -> set[str]:
    """Non-terminal statuses from which a record moves into one that requires an approval."""
    wf = site.config.workflow
    approving = {k for k, s in wf.statuses.items() if "approved_by" in s.requires}
    return {k for k, s in wf.statuses.items() if not s.terminal and k not in approving
            and any(dst in approving for dst in s.transitions)}


def _from_outside(site: Site, imp: Improvement) -> bool:
    """Raised from customer feedback or by a requester who is not in people.yml (an external stakeholder)."""
    return imp.source == "customer_feedback" or imp.requester not in site.config.people


def governance_page(site: Site) -> Page:
    t, src, wf = site.t, GOVERNANCE_PAGE, site.config.workflow
    imps = site.register.improvements
    open_imps = [i for i in imps if not wf.statuses[i.status].terminal]
    gate = approval_gate(site)
    undecided = {wf.initial, *gate}
    escalated = [i for i in open_imps if i.escalated]
    awaiting = [i for i in imps if i.status in gate]
    # Feedback from customers and external requesters first: unanswered feedback dries up.
    unanswered = sorted((i for i in imps if i.status not in undecided and not i.originator_notified),
                        key=lambda i: (not _from_outside(site, i), i.status_since, i.id))
    days = site.config.portal.stale_after_days
    limit = (date.fromisoformat(site.as_of) - timedelta(days=days)).isoformat()
    stuck = sorted((i for i in open_imps if i.status_since < limit), key=lambda i: i.status_since)

    def section(title: str, records: list[Improvement], extra: bool = False, originator: bool = False) -> str:
        if not records:
            return f"<h2>{esc(title)} <span class=\"cir-n\">0</span></h2><p>{esc(t('none'))}</p>"
        def row(r: Improvement) -> list[str]:
            who = (site.person_link(src, r.requester) + " · " + esc(site.label("sources", (r.source or "")))
                   if originator else site.person_link(src, r.owner or r.requester))
            cells = [site.record_link(src, r.id, with_title=False), esc(r.title), site.status_badge(r.status),
                     who, esc(r.status_since)]
            if extra:
                cells.append(str((date.fromisoformat(site.as_of) - date.fromisoformat(r.status_since)).days))
            return cells

        # each row made once while its record stays as it is (live preview, Site.memo)
        rows = [site.memo(("governance.row", src, r.id, extra, originator), partial(row, r), [r.id]) for r in records]
        headers = ([t("id"), t("title"), t("status"), t("requester") if originator else t("owner"), t("since")]
                   + ([t("days")] if extra else []))
        return f"<h2>{esc(title)} <span class=\"cir-n\">{len(records)}</span></h2>" + table(headers, rows)

    return Page(src, t("governance"),
                content=f"# {t('governance')}\n\n<p class=\"cir-asof\">{esc(t('as_of'))} {esc(site.as_of)}</p>\n"
                        f"<div class=\"cir-governance\">"
                        + section(t("gov_escalated"), escalated)
                        + section(t("gov_awaiting"), awaiting)
                        + section(t("gov_unanswered"), unanswered, originator=True)
                        + section(t("gov_stuck", days=days), stuck, extra=True)
                        + "</div>\n")
