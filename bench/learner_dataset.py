"""The learner-pages data set: the sample course, one organisation, thousands of sent deliveries.

The course is the real sample course (`content/`, 22 lessons with their real
Markdown, rendered once), so pages carry a lesson of realistic size. People,
enrolments and deliveries are bulk-created: every enrolment has received the
first ``lessons`` lessons. Lesson 1 feeds the GET phase (a third of them already
answered, so both branches of the page render); the later lessons are
unanswered and feed the POST phase, one answer per delivery.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from accounts.models import User
from courses.models import Course, Enrolment, Offering
from lessons.course_folder import read_course_folder
from lessons.course_sync import course_sync
from lessons.models import Delivery, Lesson, SendBatch
from lessons.tokens import delivery_token
from organisations.models import Membership, Organisation

COURSE_FOLDER = Path(settings.BASE_DIR) / "content" / "iedereen-mee-met-sociale-media"
_CHUNK = 2000


@dataclass(frozen=True)
class LearnerDataset:
    course: Course
    enrolments: int
    page_tokens: list[str]
    # Per lesson after the first, in lesson order: unanswered deliveries to answer once each.
    answer_tokens: list[str]


def _sent_deliveries(enrolments: list[Enrolment], lessons: list[Lesson]) -> list[Delivery]:
    now = timezone.now()
    rows = []
    for lesson in lessons:
        assert lesson.current_version is not None
        batch = SendBatch.objects.create(
            version=lesson.current_version,
            size=len(enrolments),
            created_at=now,
            queued_at=now,
            status=SendBatch.Status.SENT,
        )
        for index, enrolment in enumerate(enrolments):
            answered = lesson.position == 1 and index % 3 == 0
            rows.append(
                Delivery(
                    enrolment=enrolment,
                    lesson=lesson,
                    version=lesson.current_version,
                    batch=batch,
                    position=lesson.position,
                    status=Delivery.Status.SENT,
                    created_at=now,
                    sent_at=now,
                    answer=1 if answered else None,
                    answer_correct=lesson.current_version.is_correct(1) if answered else None,
                    answered_at=now if answered else None,
                    completed_at=now if answered else None,
                )
            )
    return Delivery.objects.bulk_create(rows, batch_size=_CHUNK)


def build_learner_dataset(*, enrolments: int, lessons: int, slug: str = "bench-learners") -> LearnerDataset:
    """Sync the sample course, enrol ``enrolments`` people and send each the first ``lessons`` lessons."""
    source = read_course_folder(COURSE_FOLDER)
    course_sync(source=source, apply=True)
    course = Course.objects.get(slug=source.slug)
    sent_lessons = list(
        Lesson.objects.filter(course=course, position__lte=lessons)
        .select_related("current_version")
        .order_by("position")
    )
    organisation = Organisation.objects.create(name="Politiezone Benchmark", slug=slug)
    Offering.objects.create(organisation=organisation, course=course, start_date=timezone.localdate())
    users = User.objects.bulk_create(
        [User(email=f"leerder{i}@{slug}.example", first_name=f"Leerder{i}") for i in range(enrolments)],
        batch_size=_CHUNK,
    )
    memberships = Membership.objects.bulk_create(
        [Membership(organisation=organisation, user=user, department="Interventie") for user in users],
        batch_size=_CHUNK,
    )
    rows = Enrolment.objects.bulk_create(
        [
            Enrolment(
                membership=membership,
                course=course,
                start_date=timezone.localdate(),
                next_position=len(sent_lessons) + 1,
                lessons_sent=len(sent_lessons),
                lessons_completed=1 if i % 3 == 0 else 0,
            )
            for i, membership in enumerate(memberships)
        ],
        batch_size=_CHUNK,
    )
    deliveries = _sent_deliveries(rows, sent_lessons)
    first = [d for d in deliveries if d.position == 1]
    later = [d for d in deliveries if d.position > 1]
    return LearnerDataset(
        course=course,
        enrolments=len(rows),
        page_tokens=[delivery_token(d.pk) for d in first],
        answer_tokens=[delivery_token(d.pk) for d in later],
    )
