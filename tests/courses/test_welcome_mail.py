"""The welcome mail: once per new enrolment (import, join), through the outbox, naming the employer, the
course, the rhythm and the first lesson's day from the drip's own calendar; never to who left or bounced."""

import datetime as dt

import pytest
from django.utils import translation

from courses.models import Enrolment, Offering
from courses.schedule import enrolment_calendar
from courses.staff_import import staff_import
from courses.welcome import rhythm, welcome_key, welcome_mails_queue
from mailer.models import OutgoingMail, Suppression
from organisations.models import Membership
from organisations.staff_csv import StaffRow
from tests.factories import CourseFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 2, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def offering() -> Offering:
    organisation = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem", timezone="Europe/Brussels")
    course = CourseFactory.create(
        title="Sociale media", slug="sociale-media", language="nl", weekdays=[0, 2, 4], send_time=dt.time(8, 30)
    )
    return Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))


def rows(count: int) -> list[StaffRow]:
    return [StaffRow(line=n + 2, email=f"p{n}@avelgem.example", first_name=f"P{n}", last_name="X", department="ICT")
            for n in range(count)]  # fmt: skip


def run_import(offering: Offering, people: list[StaffRow], **kwargs: object) -> None:
    staff_import(
        organisation=offering.organisation, rows=people, course=offering.course,
        start_date=offering.start_date, now=NOW, **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


def test_an_import_welcomes_each_new_enrolment_once_with_the_first_lesson_of_the_drip_calendar(offering):  # type: ignore[no-untyped-def]
    run_import(offering, rows(3))
    mails = OutgoingMail.objects.filter(kind="welcome").order_by("to")
    assert [m.to for m in mails] == ["p0@avelgem.example", "p1@avelgem.example", "p2@avelgem.example"]
    enrolment = Enrolment.objects.get(membership__user__email="p0@avelgem.example")
    assert mails[0].key == welcome_key(enrolment.pk)
    # The same day the drip will send lesson 1: its calendar, in the organisation's time zone.
    first = enrolment_calendar(enrolment).first_slot_on_or_after(offering.start_date)
    assert enrolment.next_due_at == first
    mail = mails[0]
    assert mail.subject == "Gemeente Avelgem schreef je in voor Sociale media"
    for text in (mail.html, mail.text):
        assert "Gemeente Avelgem" in text
        assert "Sociale media" in text
        assert "maandag, woensdag en vrijdag om 08:30" in text
        assert "maandag 1 maart 2027" in text
    assert "<title>Welkom bij Sociale media</title>" in mail.html
    assert "**" not in mail.text
    assert "<" not in mail.text

    run_import(offering, rows(3))  # the same list again: no new enrolment, no second welcome
    assert OutgoingMail.objects.filter(kind="welcome").count() == 3


def test_the_time_is_the_organisations_and_english_courses_get_an_english_mail(offering):  # type: ignore[no-untyped-def]
    course = offering.course
    course.language, course.weekdays, course.send_time = "en", [1], dt.time(7, 45)
    course.save()
    run_import(offering, rows(1))
    mail = OutgoingMail.objects.get(kind="welcome")
    assert "Tuesday at 07:45" in mail.text
    assert "Tuesday 2 March 2027" in mail.text
    assert "Gemeente Avelgem enrolled you in the course Sociale media" in mail.text
    with translation.override("nl"):
        assert rhythm(course) == "dinsdag om 07:45"


def test_no_welcome_for_a_suppressed_address_someone_who_left_or_unsubscribed(offering):  # type: ignore[no-untyped-def]
    Suppression.objects.create(email="p0@avelgem.example", reason=Suppression.Reason.BOUNCE, created_at=NOW)
    run_import(offering, rows(3))
    assert set(OutgoingMail.objects.values_list("to", flat=True)) == {"p1@avelgem.example", "p2@avelgem.example"}
    OutgoingMail.objects.all().delete()
    Membership.objects.filter(user__email="p1@avelgem.example").update(is_active=False)
    Enrolment.objects.filter(membership__user__email="p2@avelgem.example").unsubscribe(now=NOW)
    assert welcome_mails_queue(enrolment_ids=Enrolment.objects.values_list("pk", flat=True)) == 0


def test_a_refused_import_welcomes_nobody(offering):  # type: ignore[no-untyped-def]
    Offering.objects.filter(pk=offering.pk).update(seats=1)
    with pytest.raises(Exception, match="seats"):
        run_import(offering, rows(2))
    assert not OutgoingMail.objects.exists()


def test_a_big_import_queues_its_welcomes_in_a_fixed_number_of_queries(  # type: ignore[no-untyped-def]
    offering, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """The whole import's budget, welcomes included: a fixed number of statements, not one per person
    (600 people differ from 3 only by the batches SQLite's parameter limit splits the inserts into)."""
    run_import(offering, rows(3))  # warm: the offering exists, the calendar's lookups are made
    Enrolment.objects.all().delete()
    Membership.objects.all().delete()
    OutgoingMail.objects.all().delete()
    with django_assert_max_num_queries(20):
        run_import(offering, rows(3))
    Enrolment.objects.all().delete()
    Membership.objects.all().delete()
    OutgoingMail.objects.all().delete()
    with django_capture_on_commit_callbacks() as published, django_assert_max_num_queries(26):
        run_import(offering, rows(600))
    assert OutgoingMail.objects.filter(kind="welcome").count() == 600
    # Over the publishing limit, the outbox's sweep sends them rather than 600 broker messages.
    assert not published
