from django.urls import path

from studio import views, views_analytics, views_editor, views_modules, views_settings, views_versions, views_zip

app_name = "studio"

lesson = "<slug:course_slug>/lessons/<int:lesson_id>/"

urlpatterns = [
    path("", views.studio_home, name="home"),
    path("<slug:course_slug>/", views.course_overview, name="course"),
    path("<slug:course_slug>/settings/", views_settings.course_settings, name="course_settings"),
    path("<slug:course_slug>/lessons/new/", views.lesson_new, name="lesson_new"),
    path("<slug:course_slug>/modules/new/", views_modules.module_new, name="module_new"),
    path("<slug:course_slug>/modules/<int:module_id>/", views_modules.module_edit, name="module_edit"),
    path("<slug:course_slug>/modules/<int:module_id>/move/", views.module_move_view, name="module_move"),
    path("<slug:course_slug>/modules/<int:module_id>/delete/", views_modules.module_delete_view, name="module_delete"),
    path(lesson, views_editor.lesson_edit, name="lesson_edit"),
    path(lesson + "preview/", views_editor.lesson_preview, name="lesson_preview"),
    path(lesson + "check/", views_editor.lesson_check_view, name="lesson_check"),
    path(lesson + "test/", views_editor.lesson_test_send_view, name="lesson_test_send"),
    path(lesson + "move/", views.lesson_move_view, name="lesson_move"),
    path(lesson + "publish/", views.lesson_publish_view, name="lesson_publish"),
    path(lesson + "versions/", views_versions.lesson_versions, name="lesson_versions"),
    path(lesson + "versions/<int:number>/restore/", views_versions.version_restore_view, name="version_restore"),
    path("<slug:course_slug>/export.zip", views_zip.course_zip_download, name="course_zip"),
    path("<slug:course_slug>/import/", views_zip.course_import, name="course_import"),
    path("<slug:course_slug>/import/<int:upload_id>/", views_zip.course_import_preview, name="import_preview"),
    path("<slug:course_slug>/analytics/", views_analytics.course_analytics_page, name="analytics"),
    path("<slug:course_slug>/analytics.csv", views_analytics.course_analytics_export, name="analytics_export"),
]
