"""The course analytics page reads stored counters only: the same number of queries for one
organisation or fifty, ten lessons or a hundred, and however many deliveries lie behind them."""

import pytest
from django.urls import reverse

from lessons.models import Delivery
from tests.studio.analytics_world import big_course

# Session, user, the course (access), the offerings, the lessons, and the four aggregates:
# LessonStats, AnswerCount, WeeklyLessonCompletion and the threads' posts; the page's studio
# navigation adds two (the course's group, the organisations the trainer administers).
EXPORT_QUERIES = 9
PAGE_QUERIES = EXPORT_QUERIES + 2


@pytest.mark.django_db
@pytest.mark.parametrize(("organisations", "lessons"), [(1, 10), (50, 10), (1, 100), (50, 100)])
def test_the_page_costs_the_same_queries_whatever_the_size(organisations, lessons, django_assert_num_queries):
    world = big_course(organisations=organisations, lessons=lessons)
    client = world.client()
    url = reverse("studio:analytics", kwargs={"course_slug": world.course.slug})
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="lesson') == lessons
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(url, {"organisation": world.organisations[-1].pk}).status_code == 200
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(reverse("studio:analytics_export", args=[world.course.slug])).status_code == 200


@pytest.mark.django_db
def test_a_hundred_thousand_deliveries_across_fifty_organisations_change_nothing(django_assert_num_queries):
    world = big_course(organisations=50, lessons=100, learners_per_organisation=20)
    assert Delivery.objects.filter(lesson__course=world.course).count() == 100_000
    client = world.client()
    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("studio:analytics", args=[world.course.slug]))
    assert response.status_code == 200
    assert "Bestuur 49" in response.content.decode()
