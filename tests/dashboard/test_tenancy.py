"""Another organisation's admin gets 404 on every dashboard URL, never a peek."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from drip.tick import drip_tick
from lessons.models import LessonStats
from organisations.models import Membership
from tests.factories import MembershipFactory, OrganisationFactory, enrol_many

pytestmark = pytest.mark.django_db

URLS = ["dashboard:home", "dashboard:dashboard", "dashboard:dashboard_export"]


@pytest.mark.parametrize("name", URLS)
def test_another_organisations_admin_gets_404(small_org, name):  # type: ignore[no-untyped-def]
    other = MembershipFactory.create(organisation=OrganisationFactory.create(), role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(other.user)
    assert client.get(reverse(name, args=["avelgem"])).status_code == 404


@pytest.mark.parametrize("name", URLS)
def test_a_learner_of_the_organisation_gets_404(small_org, name):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(small_org.eva.membership.user)
    assert client.get(reverse(name, args=["avelgem"])).status_code == 404


def test_the_dashboard_counts_only_its_own_organisation(small_org, org_admin_client):  # type: ignore[no-untyped-def]
    neighbours = OrganisationFactory.create(slug="kortrijk")
    enrol_many(small_org.course, neighbours, 20, start=small_org.eva.start_date)
    drip_tick(now=timezone.now(), dispatch=lambda batch_id: None)
    assert LessonStats.objects.filter(organisation=neighbours, sent=20).exists()

    response = org_admin_client.get(reverse("dashboard:dashboard", args=["avelgem"]))
    assert response.context["totals"]["people"] == 3
    # The tick also sent lesson 5 to Avelgem's three; the neighbours' twenty stay out.
    assert [row.sent for row in response.context["lessons"]] == [3, 3, 3, 3, 3]
    assert response.context["page"].paginator.count == 3
