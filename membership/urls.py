from django.urls import path

from . import views

app_name = "membership"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("me/", views.member_me, name="me"),
    path("new/", views.member_create, name="create"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/reveal/", views.member_reveal, name="reveal"),
]
