"""In Chromium: an import that removes people shows how many and needs a tick; an invite link limited to the
organisation's domain refuses another one and lets a colleague join; the welcome mail arrives, read on a phone."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from courses.invites import invite_create
from courses.models import Enrolment, Offering, StaffUpload
from mailer.models import OutgoingMail
from mailer.outbox import mail_html, read_mail
from mailer.outgoing import outgoing_send
from organisations.models import Membership
from tests.courses.test_invites import sign_in_code
from tests.factories import CourseFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
FIVE = (
    "E-mailadres;Voornaam;Achternaam;Dienst\r\n"
    "eva.peeters@avelgem.be;Eva;Peeters;Burgerzaken\r\n"
    "jonas.claes@avelgem.be;Jonas;Claes;Politie\r\n"
    "anais.dubois@avelgem.be;Anaïs;Dubois;Welzijn\r\n"
    "geen-adres;Piet;Piers;ICT\r\n"
    "lotte.maes@avelgem.be;Lotte;Maes;Financiën\r\n"
).encode("cp1252")
LEAVERS = ["Wim Desmet", "Sofie Wouters", "Bram Janssens", "Els Claeys", "Koen Mertens", "Inge Willems",
           "Tom Goossens", "Lies Jacobs", "Pieter Vermeulen", "An De Smet", "Joris Van den Broeck"]  # fmt: skip


def context_for(browser, live_server, user, **options):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    context = browser.new_context(**options)
    context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
             "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl", "url": live_server.url},
        ]
    )  # fmt: skip
    return context


@pytest.fixture
def offering() -> Offering:
    organisation = OrganisationFactory.create(
        name="Gemeente Avelgem", slug="avelgem", allowed_email_domains="avelgem.be"
    )
    course = CourseFactory.create(title="Sociale media", slug="sociale-media", weekdays=[0, 2, 4])
    return Offering.objects.create(organisation=organisation, course=course, start_date=dt.date(2027, 3, 1))


def test_an_import_with_removals_shows_their_count_and_needs_a_tick(browser, live_server, offering):  # type: ignore[no-untyped-def]
    organisation = offering.organisation
    admin = UserFactory.create(email="hr@avelgem.be", first_name="Hanne", last_name="Reynaert")
    MembershipFactory.create(organisation=organisation, user=admin, role=Membership.Role.ADMIN, department="HR")
    for name in LEAVERS:
        first, last = name.split(" ", 1)
        user = UserFactory.create(email=f"{first.lower()}.{last.lower().replace(' ', '')}@avelgem.be",
                                  first_name=first, last_name=last)  # fmt: skip
        MembershipFactory.create(organisation=organisation, user=user, department="Technische dienst",
                                 imported_at=timezone.now())  # fmt: skip
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = context_for(browser, live_server, admin, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/org/avelgem/staff/import/")
    assert not page.is_checked("input[name=full_list]")  # off unless HR says so
    page.set_input_files("input[name=file]", files=[{"name": "personeel.csv", "mimeType": "text/csv", "buffer": FIVE}])
    page.select_option("select[name=offering]", label="Sociale media")
    page.check("input[name=full_list]")
    page.get_by_role("button", name="Bekijk een voorbeeld van de import").click()
    page.wait_for_selector("table.report")

    button = page.locator("form.confirm-import button")
    label = button.inner_text()
    first_rows = page.locator("table.report tbody tr").evaluate_all("rows => rows.slice(0, 11).map(r => r.className)")
    error_line = page.locator("table.report tr.error td.line").inner_text()
    table_right = page.locator("table.report").evaluate("t => t.getBoundingClientRect().right")
    card_right = page.locator(".card.staff-preview").evaluate("c => c.getBoundingClientRect().right")
    page.locator("table.report").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)
    button.click()  # without the tick the browser does not send it
    still_preview = page.locator("form.confirm-import").count()
    page.check("input[name=removals]")
    page.get_by_role("button", name=re.compile("^Bevestig")).click()
    page.wait_for_url(re.compile(r"/status/$"))

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/org/avelgem/staff/import/")
    page.set_input_files("input[name=file]", files=[{"name": "personeel.csv", "mimeType": "text/csv", "buffer": FIVE}])
    page.get_by_role("button", name="Bekijk een voorbeeld van de import").click()
    page.wait_for_selector("table.report")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    page.screenshot(path=str(SCREENSHOTS / "import-preview-phone.png"), full_page=True)
    context.close()

    assert label == "Bevestig: 4 nieuw, 4 ingeschreven, 11 verwijderen"
    assert first_rows == ["remove"] * 11
    assert error_line == "5"
    assert table_right <= card_right <= 1366
    assert still_preview == 1
    assert overflow <= 0
    assert StaffUpload.objects.get(full_list=True).confirmed_at is not None


def test_the_invite_page_copies_the_link_and_shows_its_qr_code(browser, live_server, offering):  # type: ignore[no-untyped-def]
    admin = UserFactory.create(email="hr@avelgem.be")
    MembershipFactory.create(organisation=offering.organisation, user=admin, role=Membership.Role.ADMIN)
    token = invite_create(offering=offering, today=timezone.localdate())
    context = context_for(browser, live_server, admin, viewport={"width": 1366, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.goto(f"{live_server.url}/org/avelgem/invites/")
    page.get_by_role("button", name="Kopieer de link").click()
    page.wait_for_selector("text=Link gekopieerd.")
    copied = page.evaluate("navigator.clipboard.readText()")
    qr = page.locator("figure.qr svg[role=img]").count()
    page.screenshot(path=str(SCREENSHOTS / "invite-links.png"), full_page=True)
    context.close()
    assert copied == f"{live_server.url}/join/{token}/"
    assert qr == 1


def test_an_invite_for_one_domain_refuses_another_lets_a_colleague_join_and_welcomes_her(  # type: ignore[no-untyped-def]
    browser, live_server, offering, outbox_dir
):
    MembershipFactory.create(organisation=offering.organisation, department="Burgerzaken")
    MembershipFactory.create(organisation=offering.organisation, department="Welzijn")
    token = invite_create(offering=offering, today=timezone.localdate())
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "nl", "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/join/{token}/")
    page.fill("input[name=email]", "eva.peeters@gmail.com")
    page.fill("input[name=first_name]", "Eva")
    page.fill("input[name=last_name]", "Peeters")
    page.fill("input[name=department]", "Welzijn")
    page.get_by_role("button", name="Stuur een aanmeldcode").click()
    refusal = page.locator("span.error").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "invite.png"), full_page=True)
    created_after_refusal = Membership.objects.filter(user__email="eva.peeters@gmail.com").exists()

    page.fill("input[name=email]", "eva.peeters@avelgem.be")
    page.get_by_role("button", name="Stuur een aanmeldcode").click()
    page.wait_for_selector("input[name=code]")
    page.fill("input[name=code]", sign_in_code(outbox_dir, "eva.peeters@avelgem.be"))
    page.locator("input[name=code]").press("Enter")
    page.wait_for_selector(".messages")
    welcomed = page.locator(".messages").inner_text()
    context.close()

    assert refusal == ("Gemeente Avelgem aanvaardt alleen adressen die eindigen op @avelgem.be. Gebruik je werkadres.")
    assert not created_after_refusal
    assert "Sociale media" in welcomed
    membership = Membership.objects.get(user__email="eva.peeters@avelgem.be")
    assert membership.department == "Welzijn"
    enrolment = Enrolment.objects.get(membership=membership)

    # The welcome, sent by the outbox's sender through the real transport, arrives in the mailbox.
    row = OutgoingMail.objects.get(key=f"welcome:{enrolment.pk}")
    assert outgoing_send(mail_id=row.pk) == "sent"
    files = [path for path in outbox_dir.glob("*.eml") if "Welkom" in mail_html(read_mail(path))]  # type: ignore[arg-type]
    assert len(files) == 1
    message = read_mail(files[0])
    assert message is not None
    assert message["Subject"] == "Gemeente Avelgem schreef je in voor Sociale media"
    html = mail_html(message)
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    mail_page = phone.new_page()
    mail_page.set_content(html)
    text = mail_page.locator("body").inner_text()
    overflow = mail_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    mail_page.screenshot(path=str(SCREENSHOTS / "welcome-mail.png"), full_page=True)
    phone.close()
    assert "Gemeente Avelgem" in text
    assert "maandag, woensdag en vrijdag om 08:30" in text
    assert "maandag 1 maart 2027" in text
    assert overflow <= 0
