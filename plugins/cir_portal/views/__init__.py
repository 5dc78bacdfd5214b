"""Views: the register turned into page values, charts (Vega-Lite dicts) and exports.

Views read the typed model only; they import core, never authoring or adapters.

Importing any view imports them all, so that the UI strings each registers
(``i18n.register_strings``) are in the catalogue before the first page is rendered,
whatever the order in which the adapters import them.
"""

from cir_portal.views import (  # noqa: F401  (imported for the strings they register)
    access,
    cards,
    charts,
    dashboard,
    exports,
    guide,
    knowledge,
    maturity,
    metrics,
    pages,
    tree,
)
