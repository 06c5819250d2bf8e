from django.urls import path

from learners import views

app_name = "learners"

urlpatterns = [
    path("", views.my_courses, name="courses"),
    path("courses/<int:enrolment_id>/pause/", views.pause, name="pause"),
    path("courses/<int:enrolment_id>/resume/", views.resume, name="resume"),
    path("courses/<int:enrolment_id>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("data/", views.download_data, name="data"),
    path("erase/", views.erase, name="erase"),
    path("erased/", views.erased, name="erased"),
]
