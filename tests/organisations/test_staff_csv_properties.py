"""Any bytes given as a staff list parse into rows and errors, never an exception; imports are all or nothing."""

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from courses.models import Enrolment, Offering
from courses.staff_import import StaffImportRefused, staff_import_run
from organisations.models import Membership
from organisations.staff_csv import ALIASES, parse_staff_csv
from tests.factories import CourseFactory, OrganisationFactory

cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=20)
rows = st.lists(st.lists(cells, min_size=0, max_size=5), max_size=8)
NOW = dt.datetime(2027, 3, 1, 8, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """These tests read the parser's messages in English; the Dutch ones are tested separately."""
    with translation.override("en"):
        yield


def to_csv(header: str, table: list[list[str]], separator: str) -> str:
    return "\n".join([header, *(separator.join(row) for row in table)])


def spelled(draw: st.DrawFn, column: str) -> str:
    """A header name as people type it: any alias, any case, stray spaces, dashes or underscores."""
    alias = draw(st.sampled_from(sorted(ALIASES[column])))
    cased = "".join(c.upper() if draw(st.booleans()) else c for c in alias)
    if len(cased) > 2 and draw(st.booleans()):
        cased = cased[:1] + draw(st.sampled_from(["-", "_", " "])) + cased[1:]
    return f"{' ' * draw(st.integers(0, 2))}{cased}{' ' * draw(st.integers(0, 2))}"


@st.composite
def headers(draw: st.DrawFn) -> list[str]:
    columns = draw(st.permutations(["email", "first_name", "last_name", "department"]))
    return [spelled(draw, column) for column in columns]


def check_invariants(parsed) -> None:  # type: ignore[no-untyped-def]
    assert all(isinstance(error, str) and error for error in parsed.errors)
    assert all("@" in row.email and row.email == row.email.lower() for row in parsed.rows)
    emails = [row.email for row in parsed.rows]
    assert len(emails) == len(set(emails))
    if parsed.fatal:
        assert parsed.rows == []  # a file-level error imports nothing
        assert len(parsed.errors) == 1
    else:
        assert all(error.startswith("line ") for error in parsed.errors)


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400))
def test_random_bytes_never_raise(data):  # type: ignore[no-untyped-def]
    check_invariants(parse_staff_csv(data))


@settings(max_examples=200, deadline=None)
@given(
    header=headers(),
    table=rows,
    separator=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n"]),
)
def test_every_row_is_either_imported_or_reported_with_its_line(header, table, separator, encoding, newline):  # type: ignore[no-untyped-def]
    text = to_csv(separator.join(header), table, separator).replace("\n", newline)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    parsed = parse_staff_csv(data)
    check_invariants(parsed)
    if b"\x00" not in data:
        assert not parsed.fatal, parsed.errors  # every spelling of the header is recognised


@settings(max_examples=200, deadline=None)
@given(header=headers(), separator=st.sampled_from([",", ";"]), encoding=st.sampled_from(["utf-8-sig", "cp1252"]))
def test_a_valid_row_is_read_whatever_the_header_spelling_and_encoding(header, separator, encoding):  # type: ignore[no-untyped-def]
    values = {"email": " Jef.Maes@Example.org ", "first_name": "Jef", "last_name": "Maës", "department": "Café"}
    order = [
        next(
            c
            for c, aliases in ALIASES.items()
            if name.strip().lower().replace("-", "").replace("_", "").replace(" ", "") in aliases
        )
        for name in header
    ]
    line = separator.join(values[column] for column in order)
    parsed = parse_staff_csv(f"{separator.join(header)}\r\n{line}\r\n".encode(encoding))
    (row,) = parsed.rows
    assert (row.email, row.first_name, row.last_name, row.department) == ("jef.maes@example.org", "Jef", "Maës", "Café")


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    table=st.lists(st.lists(st.one_of(st.emails(), cells), min_size=1, max_size=3), max_size=6), seats=st.integers(0, 4)
)
def test_an_import_writes_all_valid_rows_or_nothing(table, seats):  # type: ignore[no-untyped-def]
    organisation = OrganisationFactory.create(slug="fuzz")
    course = CourseFactory.create(slug="fuzz-course")
    Offering.objects.update_or_create(
        organisation=organisation, course=course, defaults={"start_date": dt.date(2027, 3, 1), "seats": seats}
    )
    Membership.objects.filter(organisation=organisation).delete()
    parsed = parse_staff_csv(to_csv("email;voornaam;naam;dienst", table, ";").encode("utf-8"))
    note(f"{len(parsed.rows)} valid rows, {seats} seats")
    try:
        plan = staff_import_run(
            organisation=organisation, staff=parsed, course=course, full=True, start_date=NOW.date(), now=NOW
        )
    except StaffImportRefused:
        assert not Membership.objects.filter(organisation=organisation).exists()
        assert len(parsed.rows) > seats or parsed.fatal
        return
    assert Membership.objects.filter(organisation=organisation).count() == len(parsed.rows) == len(plan.rows)
    assert Enrolment.objects.filter(course=course).count() == len(parsed.rows) <= seats
