from django.urls import path

from . import views

app_name = "recruitment_plans"

urlpatterns = [
    path("", views.plan_index, name="index"),
    path("counties/<int:county_pk>/new/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/edit/", views.plan_edit, name="edit"),
    path("<int:pk>/numbers/", views.ledger, name="ledger"),
    path("<int:pk>/numbers.xlsx", views.ledger_export, name="ledger_export"),
    path("numbers/<int:pk>/void/", views.number_void, name="number_void"),
    path("structure/", views.structure, name="structure"),
    path("stagnant/", views.stagnant, name="stagnant"),
    path("name-lists/", views.name_list_index, name="name_lists"),
    path("name-lists/new/<int:organization_pk>/", views.name_list_create, name="name_list_create"),
    path("name-lists/<int:pk>/", views.name_list_detail, name="name_list_detail"),
]
