from django.urls import path

from studio import views

app_name = "studio"

urlpatterns = [
    path("", views.studio_home, name="home"),
    path("<slug:course_slug>/", views.course_overview, name="course"),
]

# The trainer's figures (studio/views_analytics.py).
from studio import views_analytics  # noqa: E402

urlpatterns += [
    path("<slug:course_slug>/analytics/", views_analytics.course_analytics_page, name="analytics"),
    path("<slug:course_slug>/analytics.csv", views_analytics.course_analytics_export, name="analytics_export"),
]
