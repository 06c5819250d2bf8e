from django.urls import path

from discussions import views, views_mail, views_moderation

app_name = "discussions"

urlpatterns = [
    path("<int:group_id>/", views.group_page, name="group"),
    path("threads/<int:thread_id>/", views.thread_page, name="thread"),
    path("threads/<int:thread_id>/lock/", views_moderation.thread_lock_view, name="thread_lock"),
    path("posts/<int:post_id>/edit/", views.post_edit_page, name="post_edit"),
    path("posts/<int:post_id>/delete/", views.post_delete_view, name="post_delete"),
    path("posts/<int:post_id>/report/", views.post_report_view, name="post_report"),
    path("posts/<int:post_id>/moderate/", views_moderation.post_moderate, name="post_moderate"),
    path("reports/", views_moderation.reports, name="reports"),
    path("reports/<int:report_id>/resolve/", views_moderation.report_resolve_view, name="report_resolve"),
    path("from-mail/<str:token>/", views_mail.mail_thread, name="mail_thread"),
    path("digest/unsubscribe/<str:token>/", views_mail.digest_unsubscribe, name="digest_unsubscribe"),
]
