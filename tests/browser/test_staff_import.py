"""An organisation admin imports Excel's staff list in the browser: report per row, confirm, the progress
page follows a real worker to the result, staff listed."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from courses.models import Enrolment, Offering
from organisations.models import Membership
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.workers import running_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
EXCEL = (
    "E-mailadres;Voornaam;Achternaam;Dienst\r\n"
    "eva.peeters@avelgem.example;Eva;Peeters;Burgerzaken\r\n"
    "jonas@avelgem.example;Jonas;Claes;Politie\r\n"
    "anais@avelgem.example;Anaïs;Dubois;Welzijn\r\n"
    "geen-adres;Piet;Piers;ICT\r\n"
    "JONAS@avelgem.example;Jonas;Claes;Politie\r\n"
).encode("cp1252")


@pytest.fixture
def worker():  # type: ignore[no-untyped-def]
    with running_worker() as worker:
        yield worker


def test_an_admin_uploads_an_excel_list_previews_and_confirms(browser, live_server, worker):  # type: ignore[no-untyped-def]
    organisation = OrganisationFactory.create(name="Gemeente Avelgem", slug="avelgem")
    course = CourseFactory.create(title="Sociale media")
    Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))
    admin = UserFactory.create(email="hr@avelgem.example")
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(admin)

    context = browser.new_context(viewport={"width": 1024, "height": 900})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
        ]
    )
    page = context.new_page()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/org/avelgem/staff/import/")
    page.set_input_files("input[name=file]", files=[{"name": "personeel.csv", "mimeType": "text/csv", "buffer": EXCEL}])
    page.select_option("select[name=offering]", label="Sociale media")
    assert not page.is_checked("input[name=full_list]")  # a complete list is what HR says, not a default
    page.get_by_role("button", name="Preview the import").click()

    page.wait_for_selector("table.report")
    summary = page.locator("p.summary").inner_text()
    error_rows = page.locator("tr.error").all_inner_texts()
    created_rows = page.locator("tr.create").count()
    written_before_confirm = Membership.objects.filter(role=Membership.Role.LEARNER).count()
    page.screenshot(path=str(SCREENSHOTS / "staff-import-preview.png"), full_page=True)
    page.get_by_role("button", name="Confirm: 3 new, 3 enrolled").click()
    # The progress page reloads itself until the worker is done, then shows the result.
    page.wait_for_selector(".import-result", timeout=60_000)
    page.screenshot(path=str(SCREENSHOTS / "staff-import-result.png"), full_page=True)
    message = page.locator("p.summary").inner_text()
    page.get_by_role("link", name="Show the staff list").click()
    page.wait_for_selector("table.staff")
    page.screenshot(path=str(SCREENSHOTS / "staff-import.png"), full_page=True)
    listed = page.locator("table.staff").inner_text()
    context.close()

    assert summary == "3 to create, 0 to update, 0 unchanged, 0 to remove, 3 to enrol, 2 with errors."
    assert created_rows == 3
    assert any("'geen-adres' is not a valid email address" in row for row in error_rows)
    assert any("jonas@avelgem.example already appears on line 3" in row for row in error_rows)
    assert written_before_confirm == 0
    assert "Staff list imported: 3 new" in message
    assert "Anaïs Dubois" in listed
    assert "Politie" in listed
    assert Enrolment.objects.filter(course=course).count() == 3
