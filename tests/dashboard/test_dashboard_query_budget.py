"""The dashboard for 5,000 learners × 150 lessons renders in at most 15 queries."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bench.dataset import build_dataset

pytestmark = pytest.mark.django_db

BUDGET = 15


@pytest.fixture
def big_org():  # type: ignore[no-untyped-def]
    return build_dataset(learners=5000, lessons=150)


@pytest.mark.parametrize("params", [{}, {"behind": "1", "department": "ICT", "sort": "behind", "page": "2"}])
def test_the_dashboard_for_5000_learners_and_150_lessons_stays_within_15_queries(  # type: ignore[no-untyped-def]
    big_org, params, django_assert_max_num_queries
):
    client = Client()
    client.force_login(big_org.admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("dashboard:dashboard", args=[big_org.organisation.slug])
    with django_assert_max_num_queries(BUDGET):
        response = client.get(url, params)
    assert response.status_code == 200
    html = response.content.decode()
    if not params:
        assert response.context["totals"]["people"] == 5000
        assert html.count('<tr class="employee') == 100
        assert response.context["page"].paginator.num_pages == 50
    assert html.count('<tr class="lesson">') == 150
    assert html.count('<tr class="department">') == (8 if not params else 1)


def test_the_csv_export_of_5000_learners_takes_a_constant_handful_of_queries(big_org, django_assert_max_num_queries):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(big_org.admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("dashboard:dashboard_export", args=[big_org.organisation.slug]))
    assert len(response.content.decode("utf-8-sig").splitlines()) == 5001
