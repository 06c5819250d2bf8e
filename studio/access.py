"""Who may open a studio page: a trainer of the course, or platform staff. Everyone else gets 404."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from accounts.http import AuthenticatedHttpRequest
from courses.selectors import courses_trained_by


def is_trainer(user: Any) -> bool:
    """Whether this person has a studio at all: platform staff, or a trainer of some course."""
    return bool(user.is_authenticated and user.is_active and courses_trained_by(user).exists())


def trainer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The studio's front page: 404 for anyone who trains no course."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_trainer(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def course_trainer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve ``course_slug`` to a course this person trains, or 404; pass the course on."""

    @login_required
    @wraps(view)
    def wrapper(request: AuthenticatedHttpRequest, course_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        course = get_object_or_404(courses_trained_by(request.user), slug=course_slug)
        return view(request, course, *args, **kwargs)

    return wrapper
