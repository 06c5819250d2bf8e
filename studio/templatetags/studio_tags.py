"""The studio's navigation: the studio, the course and its group, the reports queue, and the
organisations a trainer also administers."""

from typing import Any

from django import template

from courses.models import Course
from studio.selectors import administered, shared_group

register = template.Library()


@register.inclusion_tag("studio/_nav.html", takes_context=True)
def studio_nav(context: dict[str, Any], course: Course | None = None) -> dict[str, Any]:
    request = context["request"]
    course = course if isinstance(course, Course) else None
    return {
        "course": course,
        "group": shared_group(course) if course is not None else None,
        "organisations": administered(request.user),
        "current": request.resolver_match.url_name if request.resolver_match else "",
    }
