"""Celery tasks of the courses app: thin wrappers that take ids and call one function each."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError
from django.utils import timezone, translation

from courses.staff_uploads import staff_upload_import


@shared_task(
    acks_late=True,
    ignore_result=True,
    # A lost connection, or SQLite's lock held past its timeout by another import: the
    # transaction was rolled back, so running it again is safe.
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=10,
)
def import_staff_upload(upload_id: int, language: str = "") -> None:
    """Import a confirmed staff list, all rows in one transaction (courses.staff_uploads).

    The rows it reports are worded in ``language``, the one the admin confirmed in.
    """
    with translation.override(language or settings.LANGUAGE_CODE):
        staff_upload_import(upload_id=upload_id, now=timezone.now())
