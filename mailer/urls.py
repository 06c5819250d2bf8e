from django.urls import path

from mailer import views

app_name = "mailer"

urlpatterns = [
    path("", views.outbox_list, name="list"),
    path("<str:name>", views.outbox_message, name="message"),
]
