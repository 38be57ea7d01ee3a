from django.urls import path
from django.views.generic import TemplateView

app_name = "audit"

# Replaced by the member register pages.
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="events"),
]
