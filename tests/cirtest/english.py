"""A small register written in English only, built with ``language: en``.

Nothing in it is Chinese, so any Chinese text on its pages comes from the portal's own user
interface. It is also a register the views were never tuned for: a handful of records that
between them produce every page type of the portal (record pages of each kind, browse pages of
each entity kind, tag, knowledge-base, maturity and report pages).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from cirtest.site import REPO_ROOT

PEOPLE = """\
teams:
  - {id: desk, name: Service Desk}
  - {id: ops, name: Operations}
people:
  - {id: ann.lee, name: Ann Lee, team: desk, roles: [C]}
  - {id: bob.king, name: Bob King, team: ops, roles: [L, T]}
  - {id: cat.moss, name: Cat Moss, team: ops}
"""

INDEX = """\
# Improvement register

Every improvement of Example Services, from idea to result. See the [register](register.md)
and the [status board](board.md).
"""

RECORDS = {
    "improvements/IMP-0001-self-service-password-reset.md": """\
---
id: IMP-0001
title: Self-service password reset
status: closed
raised: 2025-01-15
requester: ann.lee
source: staff_idea
affects: [service/identity, practice/service-desk, product/mobile-app, value_stream/onboarding]
urgency: high
cost: low
value_level: high
cost_estimate: {amount: 8000, currency: EUR}
value: Users reset their own password in two minutes instead of waiting for the desk.
value_types: [cost_reduction]
owner: bob.king
objectives: [OBJ-01]
business_case:
  problem: A quarter of all tickets are password resets.
  solution: A self-service reset page with second-factor checks.
  key_metrics: Password tickets per month.
  value_proposition: No waiting for a reset.
  customer_segments: Every employee.
  channels: Intranet and the mobile app.
  cost_structure: Ten person-days.
  benefits: Fewer tickets and happier users.
approved_by: cat.moss
approved_on: 2025-02-20
plan: Pilot with one department, then roll out to all.
definition_of_done: Every employee can reset a password without calling the desk.
target_date: 2025-08-31
metrics:
  - name: Password reset tickets
    unit: tickets/month
    direction: decrease
    baseline: {value: 1180, date: 2025-01-31}
    target: {value: 300, date: 2025-08-31}
    measurements:
      - {date: 2025-04-30, value: 900}
      - {date: 2025-06-30, value: 420}
      - {date: 2025-08-31, value: 260}
closed_on: 2025-09-30
outcome: achieved
lessons: [LL-0001]
satisfaction: 4
planned_cost: 8000
actual_cost: 7200
related: [IMP-0002]
tags: [self-service, identity]
originator_notified: 2025-10-02
history:
  - {date: 2025-01-15, status: identified}
  - {date: 2025-01-28, status: assessed}
  - {date: 2025-02-20, status: approved}
  - {date: 2025-03-10, status: planned}
  - {date: 2025-03-24, status: in_progress}
  - {date: 2025-07-15, status: evaluating}
  - {date: 2025-09-30, status: closed}
---

## Background

Password resets were the largest group of tickets at the desk.
""",
    "improvements/IMP-0002-faster-change-approval.md": """\
---
id: IMP-0002
title: Faster approval of normal changes
status: in_progress
raised: 2025-05-06
requester: cat.moss
source: assessment
source_ref: ASM-0001#G1
affects: [practice/change-enablement, service/erp]
urgency: medium
cost: medium
value: Normal changes are approved within two days.
owner: cat.moss
objectives: [OBJ-01]
approved_by: bob.king
approved_on: 2025-06-02
plan: Delegate approval of low-risk changes to the change manager.
target_date: 2026-03-31
business_case:
  problem: Normal changes wait nine days for approval.
  solution: Delegated approval for low-risk changes.
  benefits: Changes reach production a week sooner.
tags: [change]
escalated: true
metrics:
  - name: Median approval lead time
    unit: days
    direction: decrease
    baseline: {value: 9, date: 2025-05-31}
    target: {value: 2, date: 2026-03-31}
    measurements:
      - {date: 2025-09-30, value: 6}
history:
  - {date: 2025-05-06, status: identified}
  - {date: 2025-05-20, status: assessed}
  - {date: 2025-06-02, status: approved}
  - {date: 2025-06-16, status: planned}
  - {date: 2025-07-01, status: in_progress}
---

Approval waits for the weekly board.
""",
    "improvements/IMP-0003-chat-for-the-service-desk.md": """\
---
id: IMP-0003
title: Chat channel for the service desk
status: identified
raised: 2025-11-03
requester: Customer council
source: customer_feedback
affects: [practice/service-desk]
part_of: IMP-0002
supporters: [ann.lee, bob.king]
tags: [self-service]
---

Customers asked for a chat channel.
""",
    "improvements/IMP-0004-retire-the-fax-line.md": """\
---
id: IMP-0004
title: Retire the fax line
status: rejected
raised: 2025-03-03
requester: ann.lee
source: staff_idea
affects: [service/workplace]
closed_on: 2025-03-20
reason: Two suppliers still send orders by fax.
history:
  - {date: 2025-03-03, status: identified}
  - {date: 2025-03-20, status: rejected}
---
""",
    "lessons/LL-0001-pilot-with-one-department.md": """\
---
id: LL-0001
title: Pilot with one department first
date: 2025-10-01
author: bob.king
kind: success
recommendation: Start every self-service change with a pilot in one department.
improvements: [IMP-0001]
affects: [practice/service-desk, service/identity]
tags: [self-service]
---

## What happened

The pilot found two confusing steps before the rollout.
""",
    "objectives/OBJ-01-better-service.md": """\
---
id: OBJ-01
title: Better service for every employee
owner: bob.king
horizon: 2026-12-31
kpis:
  - {name: Satisfaction score, unit: points, target: 4.5}
---

Employees get help faster and help themselves more often.
""",
    "assessments/ASM-0001-change-enablement-2025.md": """\
---
id: ASM-0001
title: Change enablement assessment 2025
practice: change-enablement
date: 2025-04-20
assessor: cat.moss
level: 2
target_level: 3
dimensions:
  organizations_people: 2
  information_technology: 2
  partners_suppliers: 3
  value_streams_processes: 2
gaps:
  - id: G1
    description: Every normal change waits for the weekly board.
    improvement: IMP-0002
  - id: G2
    description: Nobody reviews successful changes.
---

## Scope

Changes from January to March 2025.
""",
}


def make_english_project(dest: Path) -> Path:
    """The English register at ``dest``: the repository's workflow, taxonomy and schemas (their
    labels are bilingual), English people and records, ``language: en``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO_ROOT / "schemas", dest / "schemas")
    config = dest / "site_config"
    config.mkdir()
    for name in ("workflow.yml", "taxonomy.yml"):
        shutil.copy2(REPO_ROOT / "site_config" / name, config / name)
    portal = (REPO_ROOT / "site_config" / "portal.yml").read_text(encoding="utf-8")
    portal, n = re.subn(r"(?m)^language: \w+", "language: en", portal)
    assert n == 1, "portal.yml has no `language:` line"
    (config / "portal.yml").write_text(portal, encoding="utf-8")
    (config / "people.yml").write_text(PEOPLE, encoding="utf-8")
    content = dest / "content"
    for rel, text in {"index.md": INDEX, **RECORDS}.items():
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text(text, encoding="utf-8")
    mkdocs = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    mkdocs, n = re.subn(r"(?m)^site_name:.*$", "site_name: Example Services improvement register", mkdocs)
    assert n == 1, "mkdocs.yml has no site_name line"
    (dest / "mkdocs.yml").write_text(mkdocs, encoding="utf-8")
    return dest
