from django.urls import path

from . import views

app_name = "filings"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("sent/", views.sent, name="sent"),
    path("new/", views.create, name="create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/extend/", views.extend, name="extend"),
    path("<int:pk>/resubmit/", views.resubmit, name="resubmit"),
    path("materials/<int:pk>/", views.material_download, name="material"),
]
