"""Parse a staff list (CSV: email, first_name, last_name, department) into checked rows.

Parsing never writes: the caller imports only a file without errors, so a bad
file is never half-imported.
"""

import csv
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

REQUIRED = ("email",)
COLUMNS = ("email", "first_name", "last_name", "department")


@dataclass(frozen=True)
class StaffRow:
    line: int
    email: str
    first_name: str
    last_name: str
    department: str


@dataclass
class StaffFile:
    rows: list[StaffRow]
    errors: list[str]


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), falling back to Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def parse_staff_csv(data: bytes) -> StaffFile:
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return StaffFile(rows=[], errors=["the file is neither UTF-8 nor Windows-1252 text"])
    try:
        return _parse(text)
    except csv.Error as exc:
        return StaffFile(rows=[], errors=[f"the file is not readable as CSV: {exc}"])


def _parse(text: str) -> StaffFile:
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        return StaffFile(
            rows=[], errors=[f"line 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"]
        )
    reader.fieldnames = header
    rows: list[StaffRow] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in record.items() if key}
        if not any(values.values()):
            continue
        email = values.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"line {line}: '{email or '(empty)'}' is not a valid email address")
            continue
        if email in seen:
            errors.append(f"line {line}: {email} already appears on line {seen[email]}")
            continue
        seen[email] = line
        rows.append(
            StaffRow(
                line=line,
                email=email,
                first_name=values.get("first_name", ""),
                last_name=values.get("last_name", ""),
                department=values.get("department", ""),
            )
        )
    return StaffFile(rows=rows, errors=errors)
