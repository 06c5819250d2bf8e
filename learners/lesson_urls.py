from django.urls import path

from learners import views_fresh_link
from learners import views_lesson as views

app_name = "lessons"

urlpatterns = [
    # A broken lesson link leads here (through the 404 handler): fresh links by mail.
    path("l/", views_fresh_link.fresh_link, name="fresh_link"),
    path("l/<str:token>/", views.lesson_page, name="page"),
    path("l/<str:token>/answer/<int:option>/", views.answer, name="answer"),
    path("l/<str:token>/read/", views.mark_read, name="read"),
    path("l/<str:token>/pause/", views.pause, name="pause"),
    path("l/<str:token>/unsubscribe/", views.unsubscribe, name="unsubscribe"),
    path("l/<str:token>/unsubscribe/undo/", views.unsubscribe_undo, name="unsubscribe_undo"),
]
