"""Fixtures of the publishing-safety tests: small projects (tests/conftest.py) with hostile or
restricted content laid over them, and the site helpers of tests/site."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "site"))
