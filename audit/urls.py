from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.events, name="events"),
    path("history/<str:subject_type>/<str:subject_id>/", views.history, name="history"),
]
