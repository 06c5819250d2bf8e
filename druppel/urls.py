from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from druppel.views import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("lessons.urls")),
]

if settings.DEBUG:
    urlpatterns += [path("outbox/", include("mailer.urls"))]
