"""The discussion group's part of the lesson mail: the thread link and its post count
(drip.extensions.LessonMailExtension, named in settings.LESSON_MAIL_EXTENSION)."""

from django.conf import settings
from django.urls import reverse

from discussions.selectors import lesson_post_counts


class GroupThreads:
    def thread_url(self, token: str) -> str:
        return settings.SITE_URL + reverse("lesson_thread", args=[token])

    def post_counts(self, *, lesson_id: int, organisation_ids: set[int], private: set[int]) -> dict[int, int]:
        return lesson_post_counts(lesson_id=lesson_id, organisation_ids=organisation_ids, private=private)
