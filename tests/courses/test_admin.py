"""Platform staff can look up reminders and certificates in the Django admin, and not edit them."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from courses.models import Certificate, Reminder
from tests.factories import CourseFactory, UserFactory, enrol, make_lessons

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
    return client


def test_reminders_and_certificates_are_listed_and_read_only(staff_client):  # type: ignore[no-untyped-def]
    course = CourseFactory.create()
    make_lessons(course, 1)
    enrolment = enrol(course, start=dt.date(2027, 3, 1))
    now = timezone.now()
    reminder = Reminder.objects.create(
        enrolment=enrolment, week=dt.date(2027, 3, 8), claim=uuid.uuid4(), created_at=now
    )
    certificate = Certificate.objects.create(enrolment=enrolment, issued_at=now)
    email = enrolment.membership.user.email
    for model, row in (("reminder", reminder), ("certificate", certificate)):
        listing = staff_client.get(f"/admin/courses/{model}/", {"q": email})
        assert listing.status_code == 200
        assert f"/admin/courses/{model}/{row.pk}/change/" in listing.content.decode()
        assert staff_client.get(f"/admin/courses/{model}/add/").status_code == 403
        # The change page shows the row without a save button.
        page = staff_client.get(f"/admin/courses/{model}/{row.pk}/change/").content.decode()
        assert 'name="_save"' not in page
