"""Trainers are set per course: a trainer sees their own courses, platform staff every course."""

import pytest
from django.db import IntegrityError
from django.test import Client

from courses.models import CourseTrainer
from courses.selectors import courses_trained_by
from courses.services import course_trainer_add, course_trainer_remove
from tests.factories import CourseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_trainer_sees_only_the_courses_they_train_and_staff_see_all():
    mine, theirs = CourseFactory.create(title="B mijn"), CourseFactory.create(title="A andere")
    trainer, other, staff = UserFactory.create(), UserFactory.create(), UserFactory.create(is_staff=True)
    course_trainer_add(course=mine, user=trainer)
    course_trainer_add(course=theirs, user=other)
    assert list(courses_trained_by(trainer)) == [mine]
    assert list(courses_trained_by(staff)) == [theirs, mine]
    assert list(courses_trained_by(UserFactory.create(is_trainer=True))) == []
    trainer.is_active = False
    assert list(courses_trained_by(trainer)) == []


def test_adding_a_trainer_marks_them_as_a_trainer_once_and_removing_keeps_the_flag():
    course, user = CourseFactory.create(), UserFactory.create()
    assert not user.is_trainer
    first = course_trainer_add(course=course, user=user)
    assert course_trainer_add(course=course, user=user) == first
    user.refresh_from_db()
    assert user.is_trainer
    assert course_trainer_remove(course=course, user=user)
    assert not course_trainer_remove(course=course, user=user)
    user.refresh_from_db()
    assert user.is_trainer
    assert list(courses_trained_by(user)) == []


def test_a_person_trains_a_course_once():
    course, user = CourseFactory.create(), UserFactory.create()
    CourseTrainer.objects.create(course=course, user=user)
    with pytest.raises(IntegrityError):
        CourseTrainer.objects.create(course=course, user=user)


def test_platform_staff_find_and_add_course_trainers_in_the_admin(admin_client: Client):
    course = CourseFactory.create(title="Sociale media")
    tine = UserFactory.create(email="tine@druppel.example")
    course_trainer_add(course=course, user=tine)
    html = admin_client.get("/admin/courses/coursetrainer/", {"q": "tine@"}).content.decode()
    assert "tine@druppel.example" in html
    assert "Sociale media" in html
    assert "tine@" not in admin_client.get("/admin/courses/coursetrainer/", {"q": "niemand"}).content.decode()
    jan = UserFactory.create(email="jan@druppel.example")
    response = admin_client.post("/admin/courses/coursetrainer/add/", {"course": course.pk, "user": jan.pk})
    assert response.status_code == 302
    jan.refresh_from_db()
    assert jan.is_trainer
    assert list(courses_trained_by(jan)) == [course]
