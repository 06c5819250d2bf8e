"""One organisation's life, built through the real code paths, so every page and mail has real data.

The small organisation of the dashboard tests (the drip sent four lessons, people answered),
plus what the other pages need: a finished course with its certificate, an offering with
an invite link and a closure, a pending staff upload with removals and errors, a discussion
with a question, a reply, a report, and a trainer who signs in with a password.
"""

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from courses.invites import invite_create
from courses.models import Certificate, Course, Enrolment, Offering, StaffUpload
from courses.services import course_trainer_add, enrolment_create
from discussions.models import Group, Post, Report, Thread
from discussions.moderation import post_report
from discussions.services import free_thread_create, group_for_enrolment, lesson_thread, post_create
from drip.sending import batch_send
from lessons.models import Delivery, SendBatch
from organisations.models import ClosurePeriod, Membership, Organisation
from tests.dashboard.conftest import answer, build_small_org
from tests.factories import CourseFactory, UserFactory, fold, make_lessons
from tests.learners.helpers import send_lessons

TRAINER_PASSWORD = "a trainer's long passphrase"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

# HR's file as Excel in Belgium saves it: `;`, with one new person, one changed and one bad row.
STAFF_CSV = (
    "voornaam;naam;e-mail;dienst\n"
    "Eva;Peeters;eva@avelgem.example;Communicatie\n"
    "Jonas;Claes;jonas@avelgem.example;Burgerzaken\n"
    "Nina;Wouters;nina@avelgem.example;Financiën\n"
    "Tom;Bad;not-an-address;Financiën\n"
).encode("cp1252")


@dataclass
class World:
    organisation: Organisation
    admin: User
    learner: User  # Eva: four lessons answered, a finished second course with a certificate
    trainer: User
    trainer_totp: User
    course: Course
    offering: Offering
    eva: Enrolment
    jonas: Enrolment  # behind: reminded
    answered: Delivery  # Eva's lesson 1: the answer page shows the result
    unanswered: Delivery  # Jonas's lesson 2: the answer page asks to confirm
    certificate: Certificate
    upload: StaffUpload  # previewed, not confirmed
    importing: StaffUpload  # confirmed, the worker at it: the progress page
    imported: StaffUpload  # done: the result page
    group: Group
    thread: Thread  # lesson 1's thread: Eva's question, Jonas's reply, a report
    question: Post  # Eva's
    report: Report
    outbox: Path


def build_world(*, outbox: Path) -> World:
    """``outbox``: where the lesson mails the drip planned are sent (the outbox transport)."""
    small = build_small_org()
    organisation, course = small.organisation, small.course
    now = timezone.now()
    with override_settings(OUTBOX_DIR=outbox, SENDGRID_API_KEY=""):
        for batch_id in SendBatch.objects.order_by("pk").values_list("pk", flat=True):
            batch_send(batch_id=batch_id, dispatch=lambda batch_id: None)
    offering = Offering.objects.create(organisation=organisation, course=course, start_date=small.eva.start_date)
    invite_create(offering=offering, today=timezone.localdate())
    ClosurePeriod.objects.create(
        organisation=organisation, start=dt.date(2027, 7, 21), end=dt.date(2027, 8, 15), label="Collectief verlof"
    )
    trainer = _trainer("trainer@druppel.example", "Tine")
    # A second trainer signs in with a password and TOTP: allauth's two-factor pages need one.
    trainer_totp = _trainer("totp@druppel.example", "Tom")
    TOTP.activate(trainer_totp, TOTP_SECRET)
    RecoveryCodes.activate(trainer_totp)
    # These two train this course: the studio opens for them.
    for person in (trainer, trainer_totp):
        course_trainer_add(course=course, user=person)
    # Learners have no password: they sign in by code (the account pages then offer to set one).
    for enrolment in (small.eva, small.jonas, small.lotte):
        enrolment.membership.user.set_unusable_password()
        enrolment.membership.user.save(update_fields=["password"])
    group = group_for_enrolment(enrolment=small.eva)
    thread = lesson_thread(group=group, lesson_id=small.lessons[0].pk)
    eva, jonas = small.eva.membership.user, small.jonas.membership.user
    question = post_create(thread=thread, author=eva, body="Mag ik **dit** delen op Facebook?", now=now)
    reply = post_create(thread=thread, author=jonas, body="Ik denk het wel.", now=now, parent=question)
    free_thread_create(group=group, author=jonas, title="Wie doet er mee?", body="Een vraag voor iedereen.", now=now)
    post_report(post=reply, by=eva, reason="Klopt niet", now=now)
    return World(
        organisation=organisation,
        admin=small.admin,
        learner=eva,
        trainer=trainer,
        trainer_totp=trainer_totp,
        course=course,
        offering=offering,
        eva=small.eva,
        jonas=small.jonas,
        answered=Delivery.objects.get(enrolment=small.eva, position=1),
        unanswered=Delivery.objects.get(enrolment=small.jonas, position=2),
        certificate=_finished_course(small.eva.membership, now),
        upload=StaffUpload.objects.create(
            organisation=organisation,
            uploaded_by=small.admin,
            filename="personeel.csv",
            data=STAFF_CSV,
            offering=offering,
            full_list=True,
        ),
        importing=StaffUpload.objects.create(
            organisation=organisation,
            uploaded_by=small.admin,
            filename="personeel.csv",
            data=STAFF_CSV,
            offering=offering,
            confirmed_at=now,
        ),
        imported=StaffUpload.objects.create(
            organisation=organisation,
            uploaded_by=small.admin,
            filename="personeel.csv",
            data=b"",
            offering=offering,
            confirmed_at=now,
            imported_at=now,
            result={
                "counts": {"create": 2, "update": 1, "unchanged": 3, "enrol": 2, "error": 1},
                "errors": [{"line": 7, "message": "Geen geldig e-mailadres"}],
            },
        ),
        group=group,
        thread=thread,
        question=question,
        report=Report.objects.get(post=reply),
        outbox=outbox,
    )


def _trainer(email: str, first_name: str) -> User:
    trainer = UserFactory.create(email=email, first_name=first_name, last_name="Trainer")
    trainer.is_trainer = True
    trainer.set_password(TRAINER_PASSWORD)
    trainer.save()
    # Allauth's own pages need the address verified (two-factor set-up asks for it).
    EmailAddress.objects.create(user=trainer, email=trainer.email, verified=True, primary=True)
    return trainer


def totp_code() -> str:
    """The TOTP trainer's current code, as their authenticator app shows it."""
    return format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // mfa_settings.TOTP_PERIOD))


def _finished_course(membership: Membership, now: dt.datetime) -> Certificate:
    """A one-lesson course Eva completed: the fold issues her certificate."""
    course = CourseFactory.create(title="Veilig online")
    lessons = make_lessons(course, 1)
    enrolment, _ = enrolment_create(membership=membership, course=course, start_date=now.date(), now=now)
    send_lessons(enrolment, lessons, sent_at=now)
    answer(enrolment, 1, 1)
    fold()
    return Certificate.objects.get(enrolment=enrolment)
