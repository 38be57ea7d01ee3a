from django.urls import path

from . import views

app_name = "standards"

urlpatterns = [
    path("", views.index, name="index"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("queue/", views.queue, name="queue"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/prefill/", views.prefill, name="prefill"),
    path("assessments/<int:pk>/scores/", views.scores, name="scores"),
    path("assessments/<int:pk>/vetoes/<int:veto_pk>/declare/", views.veto_declare, name="veto_declare"),
    path("assessments/<int:pk>/vetoes/<int:veto_pk>/review/", views.veto_review, name="veto_review"),
    path("assessments/<int:pk>/evidence/", views.evidence_add, name="evidence_add"),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/decide/<str:action>/", views.decide, name="decide"),
    path("assessments/<int:pk>/checklist.pdf", views.assessment_pdf, name="pdf"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    path("evidence/<int:pk>/remove/", views.evidence_remove, name="evidence_remove"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<int:pk>/", views.template_detail, name="template"),
    path("rectifications/<int:pk>/report/", views.rectification_report, name="rectification_report"),
    path("eligibility/", views.eligibility, name="eligibility"),
    path("seats/<int:pk>/discipline/", views.seat_discipline, name="seat_discipline"),
]
