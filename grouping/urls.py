from django.urls import path

from . import views

app_name = "grouping"

urlpatterns = [
    path("", views.index, name="index"),
    path("township/", views.township, name="township"),
    path("mine/", views.mine, name="mine"),
    path("posts/<int:pk>/claim/", views.claim, name="claim"),
    path("lists/<int:pk>/", views.cycle, name="cycle"),
    path("lists/<int:pk>/act/<slug:action>/", views.cycle_action, name="cycle_action"),
    path("lists/<int:pk>/post-list.<str:fmt>", views.post_list_document, name="post_list_doc"),
    path("lists/<int:pk>/group-ledger.<str:fmt>", views.group_ledger_document, name="ledger_doc"),
    path("groups/<int:pk>/", views.group, name="group"),
    path("groups/<int:pk>/reveal/", views.group_reveal, name="group_reveal"),
    path("groups/<int:pk>/entries/new/", views.entry_new, name="entry_new"),
    path("groups/<int:pk>/performance.<str:fmt>", views.performance_document, name="performance_doc"),
    path("entries/<int:pk>/sign/", views.entry_sign, name="entry_sign"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
