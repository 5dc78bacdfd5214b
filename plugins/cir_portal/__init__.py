"""cir-portal: a docs-as-code portal for a continual improvement register.

The package is a small compiler: ``core`` loads, validates and models the register, ``views``
turn it into pages, charts and exports, ``authoring`` writes records, and ``adapters`` (the ``cir`` command,
the MkDocs plugin, ``cir render``) drive it. Only ``adapters.mkdocs_plugin`` imports MkDocs.
"""

from __future__ import annotations

__version__ = "0.1.0"
