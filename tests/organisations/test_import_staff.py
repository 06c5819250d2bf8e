"""`manage.py import_staff`: members and enrolments from a CSV, all or nothing."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from courses.models import Enrolment, Offering
from drip.tick import drip_tick
from lessons.models import Delivery
from organisations.models import Membership, Organisation
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, aware, make_lessons

pytestmark = pytest.mark.django_db

GOOD = (
    "email,first_name,last_name,department\n"
    "Eva.Peeters@Avelgem.example,Eva,Peeters,Burgerzaken\n"
    "\n"
    "jonas@avelgem.example,Jonas,Claes,Politie\n"
)


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_staff", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_import_creates_the_organisation_members_and_enrolments(tmp_path: Path):
    course = CourseFactory.create(slug="sociale-media")
    path = tmp_path / "staff.csv"
    path.write_text(GOOD, encoding="utf-8")
    output = run(
        "avelgem", str(path), "--course", "sociale-media", "--start", "2027-03-01", "--name", "Gemeente Avelgem"
    )
    assert "avelgem (new organisation): 2 created, 0 updated, 0 unchanged, 2 newly enrolled" in output
    organisation = Organisation.objects.get(slug="avelgem")
    assert organisation.name == "Gemeente Avelgem"
    assert User.objects.filter(email="eva.peeters@avelgem.example").exists()
    assert Enrolment.objects.filter(course=course).count() == 2
    assert Membership.objects.get(user__email="jonas@avelgem.example").department == "Politie"
    assert "0 created, 0 updated, 2 unchanged, 0 newly enrolled" in run(
        "avelgem", str(path), "--course", "sociale-media"
    )


def test_a_file_with_a_bad_row_imports_nothing_and_names_the_line(tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_text(GOOD + "not-an-address,X,Y,Z\neva.peeters@avelgem.example,E,P,B\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_staff", "avelgem", str(path), stdout=StringIO(), stderr=err)
    assert "line 5: 'not-an-address' is not a valid email address" in err.getvalue()
    assert "line 6: eva.peeters@avelgem.example already appears on line 2" in err.getvalue()
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_a_semicolon_cp1252_file_from_excel_is_read(tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_bytes("email;first_name;last_name;department\nanais@x.example;Anaïs;Dubois;Welzijn\n".encode("cp1252"))
    run("ocmw", str(path))
    assert User.objects.get().first_name == "Anaïs"


def test_a_missing_file_or_unknown_course_is_a_clear_error(tmp_path: Path):
    with pytest.raises(CommandError, match="cannot read"):
        run("avelgem", str(tmp_path / "missing.csv"))
    path = tmp_path / "staff.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="no course with slug 'nope'"):
        run("avelgem", str(path), "--course", "nope")
    with pytest.raises(CommandError, match="--start must be a date"):
        run("avelgem", str(path), "--start", "maandag")
    assert not Organisation.objects.exists()


def test_re_importing_the_same_file_changes_nothing(tmp_path: Path):
    CourseFactory.create(slug="sociale-media")
    path = tmp_path / "staff.csv"
    path.write_text(GOOD, encoding="utf-8")
    run("avelgem", str(path), "--course", "sociale-media", "--start", "2027-03-01", "--full")
    before = list(Enrolment.objects.values_list("pk", "status", "next_due_at", "start_date").order_by("pk"))
    members = list(Membership.objects.values_list("pk", "department", "is_active", "imported_at").order_by("pk"))
    output = run("avelgem", str(path), "--course", "sociale-media", "--full")
    assert "0 created, 0 updated, 2 unchanged, 0 newly enrolled, 0 removed" in output
    assert list(Enrolment.objects.values_list("pk", "status", "next_due_at", "start_date").order_by("pk")) == before
    assert (
        list(Membership.objects.values_list("pk", "department", "is_active", "imported_at").order_by("pk")) == members
    )


def test_a_person_missing_from_a_full_list_leaves_and_keeps_their_history(tmp_path: Path):
    course = CourseFactory.create(slug="sociale-media")
    make_lessons(course, 2)
    path = tmp_path / "staff.csv"
    path.write_text(GOOD, encoding="utf-8")
    run("avelgem", str(path), "--course", "sociale-media", "--start", "2027-03-01")
    drip_tick(now=aware("2027-03-01T08:30:00+01:00"), dispatch=lambda batch_id: None)
    jonas = Enrolment.objects.get(membership__user__email="jonas@avelgem.example")
    assert Delivery.objects.filter(enrolment=jonas).count() == 1
    path.write_text("email\neva.peeters@avelgem.example\n", encoding="utf-8")

    partial = run("avelgem", str(path), "--course", "sociale-media")
    assert "0 removed" in partial
    full = run("avelgem", str(path), "--course", "sociale-media", "--full")

    assert "not in the file: jonas@avelgem.example removed" in full
    jonas.refresh_from_db()
    assert jonas.status == Enrolment.Status.STOPPED
    assert jonas.next_due_at is None
    assert not jonas.membership.is_active
    assert Delivery.objects.filter(enrolment=jonas).count() == 1
    assert Enrolment.objects.get(membership__user__email="eva.peeters@avelgem.example").status == "active"


def test_an_admin_who_is_not_on_the_list_is_not_removed(tmp_path: Path):
    path = tmp_path / "staff.csv"
    path.write_text(GOOD, encoding="utf-8")
    run("avelgem", str(path))
    organisation = Organisation.objects.get(slug="avelgem")
    admin = MembershipFactory.create(organisation=organisation, role=Membership.Role.ADMIN)
    assert "0 removed" in run("avelgem", str(path), "--full")
    admin.refresh_from_db()
    assert admin.is_active


def test_an_import_that_would_exceed_the_seats_is_refused_before_writing(tmp_path: Path):
    course = CourseFactory.create(slug="sociale-media")
    organisation = OrganisationFactory.create(slug="avelgem")
    Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1), seats=1)
    path = tmp_path / "staff.csv"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(CommandError, match="has 1 seats"):
        run("avelgem", str(path), "--course", "sociale-media")
    assert not Membership.objects.exists()
    assert not Enrolment.objects.exists()


def test_a_course_without_an_offering_gets_one_starting_on_the_start_date(tmp_path: Path):
    course = CourseFactory.create(slug="sociale-media")
    path = tmp_path / "staff.csv"
    path.write_text(GOOD, encoding="utf-8")
    run("avelgem", str(path), "--course", "sociale-media", "--start", "2027-03-01")
    offering = Offering.objects.get(course=course)
    assert offering.start_date == dt.date(2027, 3, 1)
    assert offering.seats is None
