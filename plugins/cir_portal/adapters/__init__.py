"""Adapters: the MkDocs plugin, ``cir render`` and the ``cir`` command. The only layer that
places pages for an engine; only ``mkdocs_plugin`` imports MkDocs."""
