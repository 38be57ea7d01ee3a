from django.urls import path

from . import views

app_name = "publicity"

urlpatterns = [
    path("", views.window_list, name="list"),
    path("new/", views.window_create, name="create"),
    path("<int:pk>/", views.window_detail, name="detail"),
    path("<int:pk>/notice.pdf", views.window_pdf, name="pdf"),
    path("<int:pk>/object/", views.objection_file, name="objection_file"),
    path("<int:pk>/objections/record/", views.objection_record, name="objection_record"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/<int:pk>/", views.objection_detail, name="objection_detail"),
    path("objections/<int:pk>/investigate/", views.objection_investigate, name="objection_investigate"),
    path("objections/<int:pk>/conclude/", views.objection_conclude, name="objection_conclude"),
]
