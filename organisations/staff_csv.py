"""Parse a staff list as HR keeps it into checked rows, never raising.

Real HR spreadsheets arrive as Excel's CSV: ``;`` or ``,`` separated, UTF-8
(with or without BOM) or Windows-1252, headers in Dutch or English in any case,
blank lines and stray spaces. Each bad row is reported with its line number; a
file that cannot be a staff list at all (too big, a workbook, no email column)
gets one file-level error and no rows.

Parsing never writes: the caller decides what to import, so a bad file is
never half-imported.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# A list of 100,000 staff with names and departments is about 6 MB.
MAX_BYTES = 10 * 1024 * 1024
COLUMNS = ("email", "first_name", "last_name", "department")

# Header names, normalised by ``_normalise`` (lower case, no spaces, dashes, dots or underscores).
ALIASES = {
    "email": {"email", "emailadres", "emailaddress", "mail", "mailadres"},
    "first_name": {"firstname", "voornaam", "givenname"},
    "last_name": {"lastname", "naam", "achternaam", "familienaam", "surname"},
    "department": {"department", "dienst", "afdeling", "team"},
}
# Magic numbers of files people upload by mistake: xlsx/ods (zip), xls (OLE2), PDF.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"%PDF")


@dataclass(frozen=True)
class StaffRow:
    line: int
    email: str
    first_name: str
    last_name: str
    department: str


@dataclass
class StaffFile:
    """Checked rows, and one message per problem: ``line N: …`` for a row, plain for the file.

    ``row_errors`` holds the row problems again as (line, message without the line), for
    reports that show the line in a column of its own.
    """

    rows: list[StaffRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    row_errors: list[tuple[int, str]] = field(default_factory=list)
    fatal: bool = False

    @classmethod
    def unreadable(cls, message: str) -> "StaffFile":
        return cls(rows=[], errors=[message], fatal=True)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), falling back to Windows-1252 as Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def parse_staff_csv(data: bytes) -> StaffFile:
    """Rows and errors for any bytes; file-level problems give no rows and ``fatal``."""
    if len(data) > MAX_BYTES:
        return StaffFile.unreadable(_("the file is larger than %(mb)s MB") % {"mb": MAX_BYTES // (1024 * 1024)})
    if data.startswith(BINARY_SIGNATURES) or b"\x00" in data:
        return StaffFile.unreadable(_("this is not a CSV file; in Excel choose Save as › CSV"))
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return StaffFile.unreadable(_("the file is neither UTF-8 nor Windows-1252 text"))
    try:
        return _parse(text)
    except csv.Error as exc:
        return StaffFile.unreadable(_("the file is not readable as CSV: %(error)s") % {"error": exc})


def _normalise(name: str) -> str:
    return re.sub(r"[\s_\-.]", "", name.strip().lower())


def _header_map(header: list[str]) -> dict[str, int]:
    """Column name → index, first matching column wins."""
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _normalise(name)
        for column, aliases in ALIASES.items():
            if key in aliases and column not in found:
                found[column] = index
    return found


def _delimiter(text: str) -> str:
    """The separator of the header line: Belgian Excel writes ``;``, most tools ``,``."""
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if header_line.count(";") > header_line.count(",") else ","


def _parse(text: str) -> StaffFile:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    header = next((record for record in reader if any(cell.strip() for cell in record)), None)
    if header is None:
        return StaffFile.unreadable(_("the file is empty"))
    columns = _header_map(header)
    if "email" not in columns:
        return StaffFile.unreadable(
            _("no email column in the header (line %(line)s); name it e-mail, e-mailadres or email")
            % {"line": reader.line_num}
        )
    result = StaffFile()
    seen: dict[str, int] = {}
    for record in reader:
        if not any(cell.strip() for cell in record):
            continue
        line = reader.line_num
        values = {column: record[index].strip() if index < len(record) else "" for column, index in columns.items()}
        email = values["email"].lower()
        error = _email_problem(email, seen)
        if error:
            result.errors.append(_("line %(line)s: %(error)s") % {"line": line, "error": error})
            result.row_errors.append((line, error))
            continue
        seen[email] = line
        result.rows.append(
            StaffRow(
                line=line,
                email=email,
                first_name=values.get("first_name", ""),
                last_name=values.get("last_name", ""),
                department=values.get("department", ""),
            )
        )
    return result


def _email_problem(email: str, seen: dict[str, int]) -> str:
    try:
        validate_email(email)
    except ValidationError:
        return _("'%(email)s' is not a valid email address") % {"email": email or _("(empty)")}
    if email in seen:
        return _("%(email)s already appears on line %(line)s") % {"email": email, "line": seen[email]}
    return ""
