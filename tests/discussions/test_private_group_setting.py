"""An organisation admin chooses a private group for their staff on the course's settings page."""

from courses.models import Offering
from discussions.models import Group
from organisations.models import Membership
from tests.discussions.conftest import signed_in, thread_url
from tests.factories import MembershipFactory, UserFactory


def test_the_organisation_admin_switches_to_a_private_group_and_other_organisations_lose_sight(world) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory.create(email="hr@avelgem.be")
    MembershipFactory.create(organisation=world.avelgem, user=admin, role=Membership.Role.ADMIN)
    offering = Offering.objects.get(organisation=world.avelgem, course=world.course)
    response = signed_in(admin).post(
        f"/org/avelgem/settings/courses/{offering.pk}/",
        {"start_date": "2027-03-01", "seats": "", "external_group_url": "", "private_group": "on"},
    )
    assert response.status_code == 302
    group = Group.objects.get(course=world.course, organisation=world.avelgem)
    assert group.threads.count() == len(world.lessons)
    thread = world.thread(world.eva)
    assert thread.group == group
    assert signed_in(world.jonas.membership.user).get(thread_url(thread)).status_code == 404
    settings_page = signed_in(admin).get("/org/avelgem/settings/").content.decode()
    assert "alleen voor je eigen organisatie" in settings_page  # Dutch by default


def test_another_organisations_admin_cannot_touch_the_setting(world) -> None:  # type: ignore[no-untyped-def]
    admin = UserFactory.create(email="hr@mira.be")
    MembershipFactory.create(organisation=world.zone, user=admin, role=Membership.Role.ADMIN)
    offering = Offering.objects.get(organisation=world.avelgem, course=world.course)
    response = signed_in(admin).post(
        f"/org/mira/settings/courses/{offering.pk}/", {"start_date": "2027-03-01", "private_group": "on"}
    )
    assert response.status_code == 404
    assert not Group.objects.filter(organisation=world.avelgem).exists()
