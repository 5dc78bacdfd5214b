"""Views: the register turned into page values, charts (Vega-Lite dicts) and exports.

Views read the typed model only; they import core, never authoring or adapters.
"""
