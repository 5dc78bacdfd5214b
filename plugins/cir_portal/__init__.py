"""cir-portal: a docs-as-code portal for a continual improvement register.

The package is a small compiler: ``loading`` reads files, ``validation`` checks them,
``model`` holds the register, views turn it into pages, and adapters (the ``cir`` command,
the MkDocs plugin) drive it. Only ``mkdocs_plugin`` imports MkDocs.
"""

from __future__ import annotations

__version__ = "0.1.0"
