"""Course settings: the fields on the course, the next ten slots of an organisation with its holidays
and closures marked, and a new cadence that moves planned lessons."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, Offering
from courses.schedule import upcoming_slots
from discussions.models import Group
from organisations.models import ClosurePeriod
from tests.factories import OrganisationFactory, enrol
from tests.studio.conftest import Studio
from tests.studio.helpers import url

pytestmark = pytest.mark.django_db

SETTINGS = {
    "title": "Sociale media voor iedereen",
    "description": "Een jaar lang, drie keer per week.",
    "language": "nl",
    "weekdays": ["1", "3"],
    "send_time": "07:45",
    "group_name": "De groep",
    "group_intro": "Stel hier je vragen.",
    "external_group_url": "teams.example/groep",
}


def test_the_next_ten_slots_mark_holidays_and_closures(studio: Studio) -> None:
    organisation = OrganisationFactory.create(holiday_country="BE")
    ClosurePeriod.objects.create(organisation=organisation, start=dt.date(2027, 4, 7), end=dt.date(2027, 4, 9))
    # From Monday 29 March 2027, Easter Monday: a public holiday in Belgium.
    days = upcoming_slots(course=studio.course, organisation=organisation, today=dt.date(2027, 3, 29))
    slots = [day.day for day in days if day.slot]
    assert len(slots) == 10
    assert slots[:4] == [dt.date(2027, 3, 31), dt.date(2027, 4, 2), dt.date(2027, 4, 5), dt.date(2027, 4, 12)]
    closed = {day.day: (day.holiday, day.closure) for day in days if day.slot is None}
    assert closed == {
        dt.date(2027, 3, 29): (True, False),
        dt.date(2027, 4, 7): (False, True),
        dt.date(2027, 4, 9): (False, True),
    }
    assert days[1].slot is not None
    assert days[1].slot.strftime("%H:%M %Z") == "08:30 CEST"


def test_the_settings_page_shows_an_organisations_slots(studio: Studio) -> None:
    organisation = OrganisationFactory.create(name="Gemeente Avelgem")
    Offering.objects.create(organisation=organisation, course=studio.course, start_date=timezone.localdate())
    page = studio.client.get(url("course_settings", studio) + f"?organisation={organisation.pk}").content.decode()
    assert "Gemeente Avelgem" in page
    assert page.count('<li class="slot">') == 10


def test_saving_settings_changes_the_course_and_moves_planned_lessons(studio: Studio) -> None:
    enrolment = enrol(studio.course, start=timezone.localdate() + dt.timedelta(days=14))
    before = enrolment.next_due_at
    response = studio.client.post(url("course_settings", studio), SETTINGS)
    assert response.status_code == 302
    course = type(studio.course).objects.get(pk=studio.course.pk)
    assert (course.title, course.weekdays, course.send_time) == ("Sociale media voor iedereen", [1, 3], dt.time(7, 45))
    assert course.external_group_url == "https://teams.example/groep"
    assert (course.group_name, course.group_intro) == ("De groep", "Stel hier je vragen.")
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    assert enrolment.next_due_at != before
    assert enrolment.next_due_at is not None
    local = timezone.localtime(enrolment.next_due_at)
    assert (local.weekday() in (1, 3), local.time()) == (True, dt.time(7, 45))
    group = Group.objects.get(course=studio.course, organisation=None)
    page = studio.client.get(url("course", studio)).content.decode()
    assert reverse("discussions:group", kwargs={"group_id": group.pk}) in page  # every page links the group
    assert reverse("discussions:reports") in page


def test_a_course_needs_a_weekday(studio: Studio) -> None:
    response = studio.client.post(url("course_settings", studio), {**SETTINGS, "weekdays": []})
    assert response.status_code == 200
    assert type(studio.course).objects.get(pk=studio.course.pk).title == "Iedereen mee met sociale media"
