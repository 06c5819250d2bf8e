"""The staff CSV parser copes with the spreadsheets HR really has."""

import io
import zipfile
from collections.abc import Iterator

import pytest
from django.utils import translation

from organisations.staff_csv import MAX_BYTES, parse_staff_csv

EXCEL_BE = (
    "E-mailadres ; Voornaam;Achternaam; Dienst \r\n"
    "\r\n"
    "  Anais.Dubois@Avelgem.example ;  Anaïs ; Dubois ;Welzijn\r\n"
    ";;;\r\n"
    "jonas@avelgem.example;Jonas;Claes;Politie\r\n"
    "ANAIS.DUBOIS@avelgem.example;Anaïs;Dubois;Welzijn\r\n"
    "geen-adres;Piet;Peeters;Financiën\r\n"
)


@pytest.fixture(autouse=True)
def english_messages() -> Iterator[None]:
    """These tests read the parser's messages in English; the Dutch ones are tested separately."""
    with translation.override("en"):
        yield


def test_a_utf8_file_with_bom_dutch_headers_blank_lines_and_spaces_is_read():
    parsed = parse_staff_csv(EXCEL_BE.encode("utf-8-sig"))
    assert [(row.line, row.email, row.first_name, row.last_name, row.department) for row in parsed.rows] == [
        (3, "anais.dubois@avelgem.example", "Anaïs", "Dubois", "Welzijn"),
        (5, "jonas@avelgem.example", "Jonas", "Claes", "Politie"),
    ]


def test_a_cp1252_semicolon_file_from_excel_reads_the_same():
    parsed = parse_staff_csv(EXCEL_BE.encode("cp1252"))
    assert parsed.rows[0].first_name == "Anaïs"
    assert parsed.rows[1].department == "Politie"
    assert not parsed.fatal


def test_the_same_address_in_another_case_is_reported_with_both_lines():
    parsed = parse_staff_csv(EXCEL_BE.encode("cp1252"))
    assert parsed.errors == [
        "line 6: anais.dubois@avelgem.example already appears on line 3",
        "line 7: 'geen-adres' is not a valid email address",
    ]


def test_each_bad_row_is_reported_with_its_line_number_and_reason():
    data = (
        b"email,first name,last name,department\nEva@X.example,Eva,P,A\n,Leeg,Adres,B\nbad,N,N,N\neva@x.example,E,P,A\n"
    )
    parsed = parse_staff_csv(data)
    assert [row.email for row in parsed.rows] == ["eva@x.example"]
    assert parsed.errors == [
        "line 3: '(empty)' is not a valid email address",
        "line 4: 'bad' is not a valid email address",
        "line 5: eva@x.example already appears on line 2",
    ]


def test_english_and_dutch_header_aliases_are_recognised_in_any_case_and_spacing():
    for header in (
        "Email,First_Name,Last Name,Department",
        "MAIL;voornaam;naam;AFDELING",
        "e-mail,First name,Naam,dienst",
    ):
        separator = ";" if ";" in header else ","
        parsed = parse_staff_csv(f"{header}\nlien@x.example{separator}Lien{separator}Maes{separator}ICT\n".encode())
        assert parsed.rows[0].first_name == "Lien", header
        assert (parsed.rows[0].last_name, parsed.rows[0].department) == ("Maes", "ICT"), header


def test_a_file_over_the_size_limit_is_refused_as_a_whole():
    data = b"email\n" + b"someone@example.org\n" * (MAX_BYTES // 20 + 1)
    parsed = parse_staff_csv(data)
    assert parsed.fatal
    assert parsed.rows == []
    assert parsed.errors == ["the file is larger than 10 MB"]


def test_an_excel_workbook_is_refused_with_a_hint_to_save_as_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as workbook:
        workbook.writestr("xl/workbook.xml", "<workbook/>")
    parsed = parse_staff_csv(buffer.getvalue())
    assert parsed.fatal
    assert "not a CSV file" in parsed.errors[0]


def test_a_file_without_an_email_column_is_refused():
    parsed = parse_staff_csv(b"naam;voornaam\nPeeters;Eva\n")
    assert parsed.fatal
    assert parsed.errors[0].startswith("no email column in the header")


def test_an_empty_file_is_refused():
    assert parse_staff_csv(b"\n \n").errors == ["the file is empty"]


def test_messages_are_dutch_by_default():
    with translation.override("nl"):
        parsed = parse_staff_csv(b"email\nnot-an-address\n")
    assert parsed.errors == ["regel 2: 'not-an-address' is geen geldig e-mailadres"]
