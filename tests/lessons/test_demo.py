"""`manage.py demo` loads everything `make run` shows, and can run twice."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from courses.models import Enrolment, Offering
from organisations.models import Membership

pytestmark = pytest.mark.django_db


def test_demo_loads_the_course_organisation_staff_and_accounts_and_is_rerunnable():
    out = StringIO()
    call_command("demo", stdout=out)
    call_command("demo", stdout=out)
    assert Enrolment.objects.filter(status=Enrolment.Status.ACTIVE).count() == 12
    assert Membership.objects.get(user__email="hr@avelgem.example").role == Membership.Role.ADMIN
    admin = User.objects.get(email="admin@druppel.example")
    assert admin.is_superuser
    password = out.getvalue().split("password         ")[-1].split()[0]
    assert admin.check_password(password)
    assert "no changes" in out.getvalue()


def test_the_demo_organisation_takes_the_sample_course():
    call_command("demo", stdout=StringIO())
    offering = Offering.objects.get(organisation__slug="avelgem")
    assert offering.course.slug == "iedereen-mee-met-sociale-media"
