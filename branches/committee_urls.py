"""Included under `organizations/<int:pk>/committee/` (namespace "committee")."""

from django.urls import path

from . import committee_views as views

app_name = "committee"

urlpatterns = [
    path("", views.page, name="page"),
    path("elections/new/", views.election_create, name="election_create"),
    path("elections/<int:election_pk>/", views.election_detail, name="election_detail"),
    path("appoint/", views.appoint, name="appoint"),
    path("seats/<int:seat_pk>/end/", views.seat_end, name="seat_end"),
    path("term/", views.term_update, name="term"),
    path("extend/", views.term_extend, name="extend"),
]
