from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    """The course's closed discussion group: a thread per lesson, moderated by trainers."""

    name = "discussions"
    verbose_name = "Discussions"

    def ready(self) -> None:
        from discussions import signals  # noqa: F401 - connects the receivers
        from discussions.selectors import lesson_post_counts
        from lessons.sending import post_counter_register

        # The lesson mail says how many posts each recipient's group's thread has.
        post_counter_register(
            lambda lesson_id, organisation_ids, private: lesson_post_counts(
                lesson_id=lesson_id, organisation_ids=organisation_ids, private=private
            )
        )
