"""What another app may add to the lesson mail, through one small typed interface that lessons owns.

The discussion group adds each lesson's thread link and its post count
(discussions/mail.py implements it; settings.LESSON_MAIL_EXTENSION names the
implementation). lessons/ never imports the app that implements it: without
one, the mail simply has no thread link.
"""

from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class LessonMailExtension(Protocol):
    def thread_url(self, token: str) -> str:
        """The absolute link from the mail to the lesson's thread, for the delivery this token names."""
        ...

    def post_counts(self, *, lesson_id: int, organisation_ids: set[int], private: set[int]) -> dict[int, int]:
        """Posts in each organisation's thread of the lesson (``private``: organisations with their own group)."""
        ...


@cache
def lesson_mail_extension() -> LessonMailExtension | None:
    path = getattr(settings, "LESSON_MAIL_EXTENSION", "")
    return import_string(path)() if path else None
