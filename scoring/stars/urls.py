from django.urls import path

from . import views

app_name = "stars"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("mine/", views.my_stars, name="my_stars"),
    path("branch/<int:pk>/", views.branch, name="branch"),
    path("branch/<int:pk>/rollup/", views.branch_rollup, name="branch_rollup"),
    path("branch/<int:pk>/consequences/", views.consequences, name="consequences"),
    path("branch/<int:pk>/evaluations/new/", views.evaluation_create, name="evaluation_create"),
    path("quarter/<int:pk>/", views.quarter, name="quarter"),
    path("quarter/<int:pk>/pdf/", views.quarter_pdf, name="quarter_pdf"),
    path("proposal/<int:pk>/", views.proposal, name="proposal"),
    path("proposal/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("proposal/<int:pk>/publicize/", views.proposal_publicize, name="proposal_publicize"),
    path("proposal/<int:pk>/finalize/", views.proposal_finalize, name="proposal_finalize"),
    path("proposal/<int:pk>/recompute/", views.proposal_recompute, name="proposal_recompute"),
    path("proposal/<int:pk>/pdf/", views.proposal_pdf, name="proposal_pdf"),
    path("consequence/<int:pk>/resolve/", views.consequence_resolve, name="consequence_resolve"),
    path("evaluation/<int:pk>/", views.evaluation, name="evaluation"),
    path("evaluation/<int:pk>/close/", views.evaluation_close, name="evaluation_close"),
]
