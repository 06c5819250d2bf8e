"""What the studio keeps between two requests: an uploaded course zip awaiting the trainer's confirmation."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from courses.models import Course


class CourseUpload(models.Model):
    """A zip of the course folder, checked and planned but not applied until the trainer confirms."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    data = models.BinaryField(_("file contents"))
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("course upload")
        verbose_name_plural = _("course uploads")

    def __str__(self) -> str:
        return f"{self.course} upload {self.pk}"
