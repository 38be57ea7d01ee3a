from django.urls import path

from . import views

app_name = "recruitment"

urlpatterns = [
    path("", views.board, name="board"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("mine/", views.mine, name="mine"),
    path("branches/<int:pk>/", views.branch_board, name="branch_board"),
    path("branches/<int:pk>/apply/", views.file_apply, name="apply"),
    path("files/<int:pk>/", views.file_detail, name="file_detail"),
    path("files/<int:pk>/act/<slug:action>/", views.file_action, name="file_action"),
    path("files/<int:pk>/record.pdf", views.file_record, name="file_record"),
    path("files/<int:pk>/accountability/", views.accountability, name="accountability"),
    path("materials/<int:pk>/", views.material_download, name="material"),
]
