"""The objectives cascade: vision, objectives and sub-objectives, and the improvements under each."""

from __future__ import annotations

from cir_portal.core.model import Record
from cir_portal.views.browse import records_table
from cir_portal.views.context import CASCADE_PAGE, LISTING, Site
from cir_portal.views.markup import esc
from cir_portal.views.page import Page


def pages(site: Site) -> list[Page]:
    return [cascade_page(site)]


def cascade_page(site: Site) -> Page:
    t, src, reg = site.t, CASCADE_PAGE, site.register
    vision = site.config.portal.vision
    known = {o.id for o in reg.objectives}
    children: dict[str | None, list[Record]] = {}
    for obj in reg.objectives:
        parent = obj.parent if obj.parent in known else None
        children.setdefault(parent, []).append(obj)

    def tree(parent: str | None) -> str:
        items = []
        for obj in children.get(parent, []):
            imps = reg.improvements_by_objective.get(obj.id, [])
            imp_list = "".join(f"<li>{site.status_badge(i.status)} {site.record_link(src, i.id)}</li>" for i in imps)
            items.append(f'<li class="cir-cascade__objective">{site.record_link(src, obj.id)}'
                         f' <span class="cir-n">{len(imps)}</span>'
                         + (f'<ul class="cir-cascade__improvements">{imp_list}</ul>' if imp_list else "")
                         + tree(obj.id) + "</li>")
        return f'<ul class="cir-cascade">{"".join(items)}</ul>' if items else ""

    orphans = [i for i in reg.improvements if not i.objectives and not site.config.workflow.statuses[i.status].terminal]
    vision_html = (f'<blockquote class="cir-vision"><strong>{esc(t("vision"))}:</strong> '
                   f"{esc(vision.text(site.lang))}</blockquote>") if vision else ""
    orphan_html = ""
    if orphans:
        orphan_html = (f"<h2>{esc(t('objectives'))}: —</h2>"
                       + records_table(site, src, list(orphans)))
    return Page(src, t("cascade"), meta=LISTING,
                content=f"# {t('cascade')}\n\n{vision_html}\n<div class=\"cir-cascade-wrap\">{tree(None)}{orphan_html}</div>\n")
