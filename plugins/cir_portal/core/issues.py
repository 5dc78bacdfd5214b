"""Issues: what loading and validation find wrong, as data that reporters format."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem in one file, located as precisely as the source allows.

    ``path`` is relative to the project root, with forward slashes; ``line`` and ``column``
    are 1-based (0 when unknown); ``key`` is the key path inside the front matter or
    configuration file (``metrics[0].target.value``), empty for the whole file.
    """

    path: str
    line: int
    column: int
    key: str
    severity: Severity
    code: str
    message: str
    hint: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.key)


def format_key(path: tuple[str | int, ...]) -> str:
    """Render a key path the way contributors read it: ``metrics[0].target.value``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
