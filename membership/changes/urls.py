from django.urls import path

from . import views

app_name = "changes"

urlpatterns = [
    path("", views.index, name="index"),
    path("former/", views.former, name="former"),
    path("members/<int:pk>/", views.member_changes, name="member"),
    path("members/<int:pk>/make-full/", views.member_make_full, name="make_full"),
    path("members/<int:pk>/death/", views.member_death, name="death"),
    path("members/<int:pk>/transfer/", views.transfer_create, name="transfer_create"),
    path("members/<int:pk>/transfer-out/", views.transfer_out_create, name="transfer_out_create"),
    path("members/<int:pk>/flow/", views.flow_create, name="flow_create"),
    path("members/<int:pk>/exemption/", views.exemption_create, name="exemption_create"),
    path("members/<int:pk>/disposal/", views.disposal_create, name="disposal_create"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/accept/", views.transfer_accept, name="transfer_accept"),
    path("transfers/<int:pk>/refuse/", views.transfer_refuse, name="transfer_refuse"),
    path("transfers/<int:pk>/cancel/", views.transfer_cancel, name="transfer_cancel"),
    path("transfers/<int:pk>/receipt/", views.transfer_receipt, name="transfer_receipt"),
    path("transfers/<int:pk>/void/", views.transfer_void, name="transfer_void"),
    path("transfers/<int:pk>/letter.pdf", views.transfer_letter, name="transfer_letter"),
    path("flows/", views.flow_list, name="flows"),
    path("flows/<int:pk>/", views.flow_detail, name="flow_detail"),
    path("flows/<int:pk>/reports/", views.flow_report, name="flow_report"),
    path("flows/<int:pk>/edit/", views.flow_update, name="flow_update"),
    path("flows/<int:pk>/end/", views.flow_end, name="flow_end"),
    path("exemptions/", views.exemption_list, name="exemptions"),
    path("exemptions/<int:pk>/", views.exemption_detail, name="exemption_detail"),
    path("exemptions/<int:pk>/decide/", views.exemption_decide, name="exemption_decide"),
    path("exemptions/<int:pk>/end/", views.exemption_end, name="exemption_end"),
    path("disposals/", views.disposal_list, name="disposals"),
    path("disposals/<int:pk>/", views.disposal_detail, name="disposal_detail"),
    path("disposals/<int:pk>/<slug:action>/", views.disposal_action, name="disposal_action"),
]
