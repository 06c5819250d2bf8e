"""`manage.py demo` loads everything `make run` shows, and can run twice."""

from io import StringIO

import pytest
from django.conf import settings
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


def test_the_printed_drip_tick_command_runs_from_the_checkout_as_printed():
    """`make run` prints how to send lesson 1; copied into a shell in the checkout it must work:
    the settings need DEBUG on locally, and the venv's Python has Django."""
    out = StringIO()
    call_command("demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "drip_tick" in line)
    command = line.split("send lesson 1", 1)[1].split()
    assert command[:4] == ["DEBUG=1", ".venv/bin/python", "manage.py", "drip_tick"]
    assert (settings.BASE_DIR / command[1]).exists()
    assert (settings.BASE_DIR / command[2]).exists()
