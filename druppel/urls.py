from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.admin import admin_login_through_allauth
from dashboard.views.digest_stop import weekly_digest_stop
from discussions import views_mail
from drip.health_views import healthz
from drip.webhook_views import sendgrid_events
from learners import views_join
from learners.views_home import home

admin.site.login = admin_login_through_allauth(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("healthz", healthz, name="healthz"),
    path("webhooks/sendgrid/", sendgrid_events, name="sendgrid_events"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("org/<slug:org_slug>/", include("dashboard.urls")),
    # The weekly digest's one-click "stop" link: signed, so outside the organisation's admin pages.
    path("digest/weekly/<str:token>/stop/", weekly_digest_stop, name="weekly_digest_stop"),
    path("me/", include("learners.urls")),
    path("join/<str:token>/", views_join.join, name="join"),
    path("join/<str:token>/welcome/", views_join.join_welcome, name="join_welcome"),
    path("groups/", include("discussions.urls")),
    path("studio/", include("studio.urls")),
    # The lesson mail's "discuss this lesson" link (the discussion group's mail extension makes it).
    path("l/<str:token>/thread/", views_mail.mail_thread, name="lesson_thread"),
    path("", include("learners.lesson_urls")),
]

handler404 = "druppel.errors.page_not_found"

if settings.DEBUG:
    urlpatterns += [path("outbox/", include("mailer.urls"))]
