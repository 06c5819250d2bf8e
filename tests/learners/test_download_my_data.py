"""Download my data: everything Druppel holds about me, as a JSON attachment, and nobody else's."""

import datetime as dt
import json

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment
from lessons.models import Delivery
from progress.answers import delivery_answer
from tests.factories import CourseFactory, OrganisationFactory, enrol, make_lessons
from tests.learners.helpers import send_lessons

pytestmark = pytest.mark.django_db

URL = "/me/data/"


def test_my_data_is_a_json_attachment_with_profile_memberships_enrolments_and_deliveries(
    eva_client: Client, eva_enrolment: Enrolment
) -> None:
    first = Delivery.objects.filter(enrolment=eva_enrolment).order_by("position").first()
    assert first is not None
    delivery_answer(delivery=first, option=1, now=dt.datetime(2027, 3, 2, 9, tzinfo=dt.UTC))

    response = eva_client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="druppel-my-data-')
    data = json.loads(response.content)
    assert data["profile"] == {
        "email": "eva@avelgem.be",
        "first_name": "Eva",
        "last_name": "Claes",
        "joined_at": data["profile"]["joined_at"],
        "last_sign_in_at": data["profile"]["last_sign_in_at"],
    }
    (membership,) = data["memberships"]
    assert membership["organisation"] == "Gemeente Avelgem"
    assert (membership["department"], membership["role"]) == ("Communicatie", "learner")
    (enrolment,) = data["enrolments"]
    assert enrolment["course"] == "Iedereen mee met sociale media"
    assert (enrolment["status"], enrolment["lessons_sent"], enrolment["lessons_completed"]) == ("active", 3, 1)
    assert enrolment["start_date"] == "2027-03-01"
    assert [row["lesson"] for row in data["deliveries"]] == ["Les nummer 1", "Les nummer 2", "Les nummer 3"]
    answered = data["deliveries"][0]
    assert (answered["answer"], answered["answer_text"], answered["answer_correct"]) == (2, "B", True)
    assert answered["sent_at"].startswith("2027-03-10T12:00:00")
    assert answered["completed_at"].startswith("2027-03-02T09:00:00")
    assert data["deliveries"][1]["answer"] is None


def test_my_data_holds_nobody_elses(eva_client: Client, eva_enrolment: Enrolment) -> None:
    course = CourseFactory.create(title="Andermans cursus")
    lessons = make_lessons(course, 2)
    send_lessons(enrol(course, organisation=eva_enrolment.membership.organisation, start=dt.date(2027, 3, 1)), lessons)
    body = eva_client.get(URL).content.decode()
    assert "Andermans cursus" not in body
    assert "person" not in body  # the other learner's factory address


def test_my_data_needs_sign_in(client: Client) -> None:
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize("lesson_count", [2, 30])
def test_my_data_takes_the_same_queries_however_much_there_is(
    eva_client: Client, eva_enrolment: Enrolment, django_assert_max_num_queries, lesson_count: int
) -> None:
    course = CourseFactory.create(title="Tweede cursus")
    lessons = make_lessons(course, lesson_count)
    user = eva_enrolment.membership.user
    send_lessons(
        enrol(course, organisation=OrganisationFactory.create(), user=user, start=dt.date(2027, 3, 1)), lessons
    )
    # session, user, memberships, enrolments, deliveries
    with django_assert_max_num_queries(5):
        response = eva_client.get(reverse("learners:data"))
    assert len(json.loads(response.content)["deliveries"]) == 3 + lesson_count
