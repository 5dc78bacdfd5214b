"""Helpers the tests share: building and serving sites, test projects, browsers, records.

Importable from any test because pytest puts ``tests/`` on the path (``pythonpath`` in
``pyproject.toml``).
"""
