"""The organisation dashboard shows the right numbers for a small, known organisation."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment
from courses.services import enrolment_create
from tests.factories import CourseFactory, make_lessons

pytestmark = pytest.mark.django_db


def page(client, **params):  # type: ignore[no-untyped-def]
    response = client.get(reverse("dashboard:dashboard", args=["avelgem"]), params)
    assert response.status_code == 200
    return response


def employee_names(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.membership.user.first_name for row in response.context["page"].object_list]


def cells(html: str, row_class: str) -> list[list[str]]:
    rows = re.findall(rf'<tr class="{row_class}[^"]*">(.*?)</tr>', html, re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)] for row in rows
    ]


def test_the_organisation_home_leads_to_the_dashboard(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    response = org_admin_client.get(reverse("dashboard:home", args=["avelgem"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:dashboard", args=["avelgem"])


def test_each_employee_shows_sent_opened_read_completed_and_a_behind_flag(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    html = page(org_admin_client).content.decode()
    rows = {row[0]: [*row[2:6], row[7]] for row in cells(html, "employee")}
    assert rows == {
        "Jonas Claes": ["4", "1", "0", "1", "behind"],
        "Lotte Maes": ["4", "0", "0", "0", "behind"],
        "Eva Peeters": ["4", "4", "2", "4", ""],
    }
    assert html.count('<tr class="employee behind">') == 2
    assert '<progress class="bar" max="100" value="100"' in html
    assert '<progress class="bar" max="100" value="25"' in html


def test_departments_add_up_their_people(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    html = page(org_admin_client).content.decode()
    # department, people, sent, opened, read, completed, (bar), behind
    assert [row[:6] + row[7:] for row in cells(html, "department")] == [
        ["Communicatie", "2", "8", "5", "2", "5", "1"],
        ["Financiën", "1", "4", "0", "0", "0", "1"],
    ]
    totals = page(org_admin_client).context["totals"]
    assert totals == {"people": 3, "sent": 12, "opened_total": 5, "read_total": 2, "completed": 5, "behind": 2}


def test_each_lesson_shows_its_funnel_and_right_answers(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    html = page(org_admin_client).content.decode()
    assert [row[:6] + row[7:] for row in cells(html, "lesson")] == [
        ["1", "Les nummer 1", "3", "2", "1", "2", "1"],
        ["2", "Les nummer 2", "3", "1", "1", "1", "1"],
        ["3", "Les nummer 3", "3", "1", "0", "1", "1"],
        ["4", "Les nummer 4", "3", "1", "0", "1", "0"],
    ]


def test_filters_narrow_the_employees_and_departments(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    assert employee_names(page(org_admin_client, department="Communicatie")) == ["Jonas", "Eva"]
    assert employee_names(page(org_admin_client, behind="1")) == ["Jonas", "Lotte"]
    assert employee_names(page(org_admin_client, behind="1", department="Financiën")) == ["Lotte"]
    narrowed = page(org_admin_client, department="Financiën")
    assert [row["department"] for row in narrowed.context["departments"]] == ["Financiën"]
    Enrolment.objects.filter(pk=small_org.jonas.pk).update(status=Enrolment.Status.PAUSED)
    assert employee_names(page(org_admin_client, status="paused")) == ["Jonas"]
    assert employee_names(page(org_admin_client, status="active")) == ["Lotte", "Eva"]


def test_the_course_filter_narrows_everything_to_that_course(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    other = CourseFactory.create(title="Veilig online")
    make_lessons(other, 2)
    eva = small_org.eva
    enrolment_create(membership=eva.membership, course=other, start_date=eva.start_date, now=timezone.now())
    everything = page(org_admin_client)
    assert everything.context["page"].paginator.count == 4
    only_other = page(org_admin_client, course=str(other.pk))
    assert employee_names(only_other) == ["Eva"]
    assert only_other.context["lessons"] == []
    assert len(page(org_admin_client, course=str(small_org.course.pk)).context["lessons"]) == 4


def test_unknown_filter_values_are_ignored(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    response = page(org_admin_client, course="999999", status="nonsense", sort="drop table")
    assert response.context["page"].paginator.count == 3


def test_sorting_puts_the_furthest_behind_first(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    assert employee_names(page(org_admin_client, sort="behind")) == ["Lotte", "Jonas", "Eva"]
    assert employee_names(page(org_admin_client, sort="completed")) == ["Eva", "Jonas", "Lotte"]
