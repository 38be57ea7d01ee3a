from django.urls import include, path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.events, name="events"),
    path("history/<str:subject_type>/<str:subject_id>/", views.history, name="history"),
    path("publicity/", include("audit.publicity.urls")),
    path("filings/", include("audit.filings.urls")),
    path("cases/", include("audit.accountability.urls")),
    path("notifications/", include("audit.notifications.urls")),
]
