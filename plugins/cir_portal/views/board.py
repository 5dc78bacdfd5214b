"""The status board: improvements as cards in one column per workflow status (kanban)."""

from __future__ import annotations

from collections import Counter

from cir_portal.views.context import BOARD_PAGE, Site
from cir_portal.views.markup import esc, link
from cir_portal.views.page import Page
from cir_portal.views.register import INDEX_FILE, _select, _used


def pages(site: Site) -> list[Page]:
    return [board_page(site)]


def board_page(site: Site) -> Page:
    t, cfg, src = site.t, site.config, BOARD_PAGE
    imps = site.register.improvements
    counts = Counter(i.status for i in imps)
    practices = _used(a for i in imps for a in i.affects if a.startswith("practice/"))
    services = _used(a for i in imps for a in i.affects if a.startswith("service/"))
    teams = _used(site.team_of(i.owner) or "" for i in imps)
    filters = "".join([
        _select("practice", t("practices"), [(a, site.affects_label(a)) for a in practices], t("all")),
        _select("service", t("services"), [(a, site.affects_label(a)) for a in services], t("all")),
        _select("team", t("team"), [(k, site.team_name(k)) for k in teams], t("all")),
    ])
    columns = []
    for key, status in cfg.workflow.statuses.items():
        head = (f'{esc(status.label.text(site.lang))} <span class="cir-column__count" data-count>{counts.get(key, 0)}</span>')
        body = '<ol class="cir-column__cards"></ol>'
        if status.terminal:
            columns.append(f'<details class="cir-column cir-column--terminal" data-status="{esc(key)}">'
                           f'<summary>{head}</summary>{body}</details>')
        else:
            columns.append(f'<section class="cir-column" data-status="{esc(key)}"><h2>{head}</h2>{body}</section>')
    return Page(src, t("board"), meta={"hide": ["toc", "navigation"]}, content=f"""# {t("board")}

<div class="cir-board" data-index="{esc(site.page_href(src, INDEX_FILE))}" data-root="{esc(site.page_href(src, ""))}" data-age-label="{esc(t("age"))}" data-show-all="{esc(t("show_all"))}" data-escalated="{esc(t("escalated"))}">
<form class="cir-filters" onsubmit="return false">{filters}</form>
<div class="cir-board__columns" role="region" tabindex="0" aria-label="{esc(t("board_columns"))}">{"".join(columns)}</div>
<noscript><p>{esc(t("noscript"))} {link(site.page_href(src, "register.csv"), "register.csv")}</p></noscript>
</div>
""")
