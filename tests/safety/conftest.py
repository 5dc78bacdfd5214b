"""Fixtures of the publishing-safety tests: small projects (tests/conftest.py) with hostile or
restricted content laid over them, and the site helpers of tests/site."""

from __future__ import annotations


