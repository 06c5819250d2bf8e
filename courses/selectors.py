"""Read-side queries about courses and who trains them."""

from django.db.models import QuerySet

from accounts.models import User
from courses.models import Course


def courses_trained_by(user: User) -> QuerySet[Course]:
    """The courses this person may see and edit as a trainer: platform staff all of them, a
    trainer those they are a trainer of (CourseTrainer), anyone else none."""
    if not user.is_active:
        return Course.objects.none()
    if user.is_staff:
        return Course.objects.order_by("title", "pk")
    return Course.objects.filter(course_trainers__user=user).order_by("title", "pk")
