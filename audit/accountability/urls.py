from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="create"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/parties/", views.party_add, name="add_party"),
    path("<int:pk>/extend/", views.case_extend, name="extend"),
    path("<int:pk>/close/", views.case_close, name="close"),
]
