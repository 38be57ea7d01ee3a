from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.me, name="me"),
    path("organizations/<int:pk>/", views.branch, name="branch"),
    path("organizations/<int:pk>/payments/", views.payment_create, name="payment_create"),
    path("organizations/<int:pk>/bases/", views.base_create, name="base_create"),
    path("organizations/<int:pk>/unpaid.xlsx", views.unpaid_export, name="unpaid_export"),
    path("payments/<int:pk>/cancel/", views.payment_cancel, name="payment_cancel"),
    path("flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
]
