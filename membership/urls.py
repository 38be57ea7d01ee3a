from django.urls import include, path

from . import views

app_name = "membership"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("me/", views.member_me, name="me"),
    path("new/", views.member_create, name="create"),
    path("export/", views.member_export, name="export"),
    path("export/<int:pk>/", views.member_export_result, name="export_result"),
    path("export/<int:pk>/download/", views.member_export_download, name="export_download"),
    path("import/", views.member_import, name="import"),
    path("import/template/", views.member_import_template, name="import_template"),
    path("import/<int:pk>/", views.member_import_result, name="import_result"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
    path("changes/", include("membership.changes.urls")),
]
