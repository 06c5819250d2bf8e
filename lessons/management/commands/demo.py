import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import User
from courses.staff_import import staff_import
from lessons.course_folder import read_course_folder
from lessons.course_sync import course_sync
from organisations.memberships import member_upsert
from organisations.models import Membership
from organisations.services import organisation_get_or_create
from organisations.staff_csv import parse_staff_csv

CONTENT = settings.BASE_DIR / "content"
COURSE_DIR = CONTENT / "iedereen-mee-met-sociale-media"
STAFF_CSV = CONTENT / "demo" / "staff.csv"


class Command(BaseCommand):
    help = "Load the sample course, a demo organisation with staff, and demo accounts. Safe to re-run."

    def handle(self, *args: object, **options: object) -> None:
        sync = course_sync(source=read_course_folder(COURSE_DIR), apply=True)
        self.stdout.write(sync.summary())
        organisation, _ = organisation_get_or_create(slug="avelgem", name="Gemeente Avelgem")
        staff = parse_staff_csv(Path(STAFF_CSV).read_bytes())
        imported = staff_import(
            organisation=organisation,
            rows=staff.rows,
            course=sync.course,
            start_date=timezone.localdate(),
            now=timezone.now(),
        )
        self.stdout.write(f"{organisation.slug}: {imported.summary()}")
        password = secrets.token_urlsafe(9)
        admin = _account("admin@druppel.example", "Platform", "Beheer", password, is_staff=True, is_superuser=True)
        trainer = _account("trainer@druppel.example", "Tine", "Trainer", password, is_staff=True, is_trainer=True)
        hr = _account("hr@avelgem.example", "Hanne", "Reynaert", password)
        member_upsert(
            organisation=organisation,
            email=hr.email,
            first_name=hr.first_name,
            last_name=hr.last_name,
            department="Personeelsdienst",
            role=Membership.Role.ADMIN,
        )
        site = settings.SITE_URL
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Demo accounts (password for all three, new on every run):",
                    f"  platform admin   {admin.email}",
                    f"  trainer          {trainer.email}",
                    f"  organisation     {hr.email} (admin of {organisation.name})",
                    f"  password         {password}",
                    "",
                    f"  site             {site}/",
                    f"  Django admin     {site}/admin/",
                    f"  outbox           {site}/outbox/  (DEBUG only)",
                    "  send lesson 1    DEBUG=1 .venv/bin/python manage.py drip_tick"
                    " --at <a Monday, Wednesday or Friday>T08:30:00+01:00",
                ]
            )
        )


def _account(email: str, first: str, last: str, password: str, **flags: bool) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last})
    for name, value in flags.items():
        setattr(user, name, value)
    user.set_password(password)
    user.save()
    return user
