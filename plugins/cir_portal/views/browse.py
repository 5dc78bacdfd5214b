"""Browse pages: a page per person, team, practice, service, product, value stream and tag,
listing the records that name it, and the hub that links them all."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial

from cir_portal.core.config import AFFECTS_KINDS
from cir_portal.core.model import Improvement, Record
from cir_portal.views.context import BROWSE_PAGE, CATEGORY_FOLDERS, Site
from cir_portal.views.markup import esc, link, table
from cir_portal.views.page import Page


def pages(site: Site) -> list[Page]:
    return [make() for make in page_makers(site).values()]


def records_table(site: Site, src: str, records: Sequence[Record]) -> str:
    """A table of records of any kind, improvements with their status and owner."""
    t = site.t
    # each row made once while its record stays as it is (live preview, Site.memo)
    rows = [site.memo(("browse.row", src, r.id), partial(_record_row, site, src, r), [r.id]) for r in records]
    return table([t("id"), t("title"), t("status"), t("owner"), t("urgency")], rows)


def _record_row(site: Site, src: str, r: Record) -> list[str]:
    if isinstance(r, Improvement):
        return [site.record_link(src, r.id, with_title=False), esc(r.title), site.status_badge(r.status),
                site.person_link(src, r.owner), esc(site.word(r.urgency) if r.urgency else "")]
    return [site.record_link(src, r.id, with_title=False), esc(r.title), esc(site.t(r.kind)), "", ""]


def _status_summary(site: Site, imps: list[Improvement]) -> str:
    counts = Counter(i.status for i in imps)
    parts = [f"{site.status_badge(k)} {counts[k]}" for k in site.config.workflow.order if counts.get(k)]
    return f'<p class="cir-summary">{" ".join(parts)}</p>' if parts else ""


def _entity_page(site: Site, src: str, title: str, subtitle: str, records: list[Record]) -> Page:
    imps = [r for r in records if isinstance(r, Improvement)]
    others = [r for r in records if not isinstance(r, Improvement)]
    body = _status_summary(site, imps) + (records_table(site, src, imps) if imps else "")
    if others:
        body += f"<h2>{esc(site.t('lessons'))} / {esc(site.t('assessment'))}</h2>" + records_table(site, src, others)
    if not records:
        body = f"<p>{esc(site.t('none'))}</p>"
    sub = f'<p class="cir-kind">{esc(subtitle)}</p>' if subtitle else ""
    # Index pages list records that are searchable on their own pages: keep them out of the index.
    return Page(src, title, meta={"search": {"exclude": True}},
                content=f'<h1>{esc(title)}</h1>\n{sub}\n<div class="cir-index">{body}</div>\n')


def entity_pages(site: Site) -> dict[str, Page]:
    return {src: make() for src, make in entity_page_makers(site).items()}


def page_makers(site: Site) -> dict[str, Callable[[], Page]]:
    """Every page of this module, each as the function that writes it (the live preview calls
    only those whose inputs changed: see views/preview.py)."""
    return {BROWSE_PAGE: partial(browse_page, site), **entity_page_makers(site)}


def entity_page_makers(site: Site) -> dict[str, Callable[[], Page]]:
    """A page per person, team, category that records refer to, and tag (each maker reads
    the index entry it lists when it runs)."""
    t, cfg = site.t, site.config
    makers: dict[str, Callable[[], Page]] = {}

    def person(src: str, pid: str, name: str, team: str) -> Page:
        return _entity_page(site, src, name, f"{t('team')}: {team}", list(site.improvements_by_person.get(pid, [])))

    def team(src: str, tid: str, name: str) -> Page:
        return _entity_page(site, src, name, t("team"), list(site.improvements_by_team.get(tid, [])))

    def category(src: str, item: str, name: str, label: str) -> Page:
        return _entity_page(site, src, name, label, site.records_by_affects.get(item, []))

    def tag(src: str, name: str) -> Page:
        return _entity_page(site, src, name, t("tags"), site.records_by_tag.get(name, []))

    for pid, entry in cfg.people.items():
        src = site.person_page(pid)
        makers[src] = partial(person, src, pid, entry.name.text(site.lang), site.team_name(entry.team))
    for tid, team_entry in cfg.teams.items():
        src = site.team_page(tid)
        makers[src] = partial(team, src, tid, team_entry.name.text(site.lang))
    for kind, group in AFFECTS_KINDS.items():
        for key, item in cfg.taxonomy.get(group, {}).items():
            if not site.records_by_affects.get(f"{kind}/{key}"):
                continue  # no page for what no record refers to (most of the 34 practices, typically)
            src = site.category_page(group, key)
            makers[src] = partial(category, src, f"{kind}/{key}", item.name.text(site.lang), t(group))
    for name in site.tag_slugs:
        src = site.tag_page(name)
        makers[src] = partial(tag, src, name)
    return makers


def browse_page(site: Site) -> Page:
    t, cfg, src = site.t, site.config, BROWSE_PAGE
    sections = []

    def block(title: str, items: list[tuple[str, str, int]]) -> None:
        lis = "".join(f'<li>{link(site.href(src, page), label) if n else esc(label)} <span class="cir-n">{n}</span></li>'
                      for page, label, n in items)
        sections.append(f"<section><h2>{esc(title)}</h2><ul class=\"cir-browse\">{lis}</ul></section>")

    block(t("people"), [(site.person_page(p), person.name.text(site.lang), len(site.improvements_by_person.get(p, [])))
                        for p, person in cfg.people.items()])
    block(t("teams"), [(site.team_page(k), team.name.text(site.lang), len(site.improvements_by_team.get(k, [])))
                       for k, team in cfg.teams.items()])
    for kind, category in AFFECTS_KINDS.items():
        block(t(category), [(site.category_page(category, key), e.name.text(site.lang),
                             len(site.records_by_affects.get(f"{kind}/{key}", [])))
                            for key, e in cfg.taxonomy.get(category, {}).items()])
    block(t("tags"), [(site.tag_page(tag), tag, len(site.records_by_tag.get(tag, []))) for tag in site.tag_slugs])
    assert set(CATEGORY_FOLDERS) == set(AFFECTS_KINDS.values())
    return Page(src, t("browse"), content=f"# {t('browse')}\n\n<div class=\"cir-browse-hub\">{''.join(sections)}</div>\n")
