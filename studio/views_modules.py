"""A course's modules in the studio: a new one, its title and intro, and removing an empty one."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.http import AuthenticatedHttpRequest
from courses.models import Course
from lessons.authoring import AuthoringError, module_create, module_delete, module_update
from lessons.models import Module
from studio.access import course_trainer_required
from studio.forms import ModuleForm


def _refused(form: ModuleForm, error: AuthoringError) -> None:
    for problem in error.problems:
        form.add_error(problem.field if problem.field in form.fields else None, problem.message)


@course_trainer_required
@require_http_methods(["GET", "POST"])
def module_new(request: AuthenticatedHttpRequest, course: Course) -> HttpResponse:
    """A new, empty module at the end of the course."""
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            module = module_create(course=course, slug=data["slug"], title=data["title"], intro=data["intro"])
        except AuthoringError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Module added."))
            return redirect(reverse("studio:course", kwargs={"course_slug": course.slug}) + f"#module-{module.pk}")
    return render(request, "studio/module.html", {"course": course, "form": form, "module": None})


@course_trainer_required
@require_http_methods(["GET", "POST"])
def module_edit(request: AuthenticatedHttpRequest, course: Course, module_id: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=module_id, course=course)
    initial = {"title": module.title, "intro": module.intro}
    form = ModuleForm(request.POST or None, initial=initial, new=False)
    if request.method == "POST" and form.is_valid():
        try:
            module_update(module=module, title=form.cleaned_data["title"], intro=form.cleaned_data["intro"])
        except AuthoringError as error:
            _refused(form, error)
        else:
            messages.success(request, _("Module saved."))
            return redirect(reverse("studio:course", kwargs={"course_slug": course.slug}) + f"#module-{module.pk}")
    context = {"course": course, "form": form, "module": module, "empty": not module.lessons.exists()}
    return render(request, "studio/module.html", context)


@course_trainer_required
@require_POST
def module_delete_view(request: AuthenticatedHttpRequest, course: Course, module_id: int) -> HttpResponse:
    module = get_object_or_404(Module, pk=module_id, course=course)
    try:
        module_delete(module=module)
    except AuthoringError as error:
        for problem in error.problems:
            messages.error(request, problem.message)
        return redirect("studio:module_edit", course_slug=course.slug, module_id=module.pk)
    messages.success(request, _("Module removed."))
    return redirect("studio:course", course_slug=course.slug)
