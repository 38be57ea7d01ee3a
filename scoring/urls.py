from django.urls import path

from . import views

app_name = "scoring"

urlpatterns = [
    path("", views.index, name="index"),
    path("me/", views.mine, name="mine"),
    path("me/declare/", views.declare, name="declare"),
    path("me/suggest/", views.suggest, name="suggest"),
    path("me/appeal/", views.appeal_new, name="appeal_new"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/settings/", views.scheme_settings, name="scheme_settings"),
    path("schemes/<int:pk>/announce/", views.scheme_announce, name="scheme_announce"),
    path("schemes/<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("schemes/<int:pk>/items/new/", views.item_add, name="item_add"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/retire/", views.item_retire, name="item_retire"),
    path("branches/<int:pk>/ledger/", views.ledger, name="ledger"),
    path("branches/<int:pk>/record/", views.batch, name="batch"),
    path("branches/<int:pk>/people/<int:person_id>/", views.person_detail, name="person"),
    path("pending/", views.pending, name="pending"),
    path("entries/<int:pk>/", views.entry_detail, name="entry"),
    path("entries/<int:pk>/confirm/", views.entry_confirm, name="entry_confirm"),
    path("entries/<int:pk>/reject/", views.entry_reject, name="entry_reject"),
    path("entries/<int:pk>/compensate/", views.entry_compensate, name="entry_compensate"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("appeals/", views.appeal_list, name="appeals"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal"),
]
