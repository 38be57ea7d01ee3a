from django.urls import path  # noqa: F401

app_name = "recruitment_plans"

urlpatterns: list = []
