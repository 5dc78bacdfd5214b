"""Views: the register turned into page values, charts (Vega-Lite dicts) and exports.

Views read the typed model only; they import core, never authoring or adapters.

Importing any view imports them all (every module of this package), so that the UI strings
each registers (``i18n.register_strings``) are in the catalogue before the first page is
rendered, whatever the order in which adapters and tests import them.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
