"""Any bytes given as a staff list parse into rows and errors, never an exception."""

from hypothesis import given, settings
from hypothesis import strategies as st

from organisations.staff_csv import parse_staff_csv

cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
rows = st.lists(st.lists(cells, min_size=0, max_size=5), max_size=8)


def to_csv(header: str, table: list[list[str]], separator: str) -> str:
    return "\n".join([header, *(separator.join(row) for row in table)])


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_raise(data):  # type: ignore[no-untyped-def]
    parsed = parse_staff_csv(data)
    assert all(isinstance(error, str) and error for error in parsed.errors)
    assert all("@" in row.email and row.email == row.email.lower() for row in parsed.rows)
    if parsed.errors and not parsed.errors[0].startswith("line "):
        assert parsed.rows == []  # a file-level error imports nothing


@settings(max_examples=200, deadline=None)
@given(table=rows, separator=st.sampled_from([",", ";"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_every_row_is_either_imported_or_reported_with_its_line(table, separator, encoding):  # type: ignore[no-untyped-def]
    header = separator.join(["email", "first_name", "last_name", "department"])
    text = to_csv(header, table, separator)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    parsed = parse_staff_csv(data)
    emails = [row.email for row in parsed.rows]
    assert len(emails) == len(set(emails))
    assert all(error.startswith("line ") for error in parsed.errors)
    assert all("@" in email for email in emails)
