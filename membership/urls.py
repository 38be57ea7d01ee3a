from django.urls import path
from django.views.generic import TemplateView

app_name = "membership"

# Replaced by the member register pages.
urlpatterns = [
    path("", TemplateView.as_view(template_name="base.html"), name="list"),
    path("me/", TemplateView.as_view(template_name="base.html"), name="me"),
]
