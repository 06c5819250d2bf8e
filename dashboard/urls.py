from django.urls import path

from dashboard.views import export, home, settings
from dashboard.views import invites as invite_views
from dashboard.views import staff as staff_views
from dashboard.views import stats as dashboard_stats

app_name = "dashboard"

urlpatterns = [
    path("", home.organisation_home, name="home"),
    path("dashboard/", dashboard_stats.organisation_dashboard, name="dashboard"),
    path("dashboard/export.csv", export.dashboard_export, name="dashboard_export"),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/closures/", settings.closure_add, name="closure_add"),
    path("settings/closures/<int:pk>/delete/", settings.closure_delete, name="closure_delete"),
    path("settings/courses/", settings.offering_add, name="offering_add"),
    path("settings/courses/<int:pk>/", settings.offering_edit, name="offering_edit"),
    path("settings/admins/", settings.admin_add, name="admin_add"),
    path("settings/admins/<int:pk>/remove/", settings.admin_remove, name="admin_remove"),
    path("staff/", staff_views.staff_list, name="staff_list"),
    path("staff/import/", staff_views.staff_import, name="staff_import"),
    path("staff/import/<int:upload_id>/", staff_views.staff_import_preview, name="staff_import_preview"),
    path("staff/import/<int:upload_id>/confirm/", staff_views.staff_import_confirm, name="staff_import_confirm"),
    path("staff/import/<int:upload_id>/status/", staff_views.staff_import_status, name="staff_import_status"),
    path("staff/import/<int:upload_id>/result/", staff_views.staff_import_result, name="staff_import_result"),
    path("invites/", invite_views.invite_list, name="invites"),
    path("invites/<int:offering_id>/new/", invite_views.invite_new, name="invite_new"),
    path("invites/<int:offering_id>/qr.svg", invite_views.invite_qr, name="invite_qr"),
    path("invites/domains/", invite_views.invite_domains, name="invite_domains"),
]
