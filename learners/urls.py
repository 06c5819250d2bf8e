from django.urls import path

from learners import views, views_progress

app_name = "learners"

urlpatterns = [
    path("", views.my_courses, name="courses"),
    path("courses/<int:enrolment_id>/pause/", views.pause, name="pause"),
    path("courses/<int:enrolment_id>/resume/", views.resume, name="resume"),
    path("courses/<int:enrolment_id>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("courses/<int:enrolment_id>/reminders/", views_progress.reminders, name="reminders"),
    path("reminders/<str:token>/", views_progress.reminders_off, name="reminders_off"),
    path("certificates/<int:certificate_id>/", views_progress.certificate, name="certificate"),
    path("certificate/<str:token>/", views_progress.certificate_link, name="certificate_link"),
    path("data/", views.download_data, name="data"),
    path("erase/", views.erase, name="erase"),
    path("erased/", views.erased, name="erased"),
]
