"""The core: loading, schemas and configuration, validation, the typed model and the pipeline.

Imports nothing from views, authoring or adapters; never imports MkDocs.
"""
