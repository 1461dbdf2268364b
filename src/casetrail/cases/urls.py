from django.urls import path

from casetrail.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path("incidents/<int:incident_id>/receipt/", views.incident_receipt, name="incident_receipt"),
    path(
        "incidents/<int:incident_id>/receipt.json",
        views.incident_receipt_json,
        name="incident_receipt_json",
    ),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<str:case_ref>/", views.case_detail, name="case_detail"),
    path("cases/<str:case_ref>/move/", views.case_move, name="case_move"),
    path("cases/<str:case_ref>/parties/", views.case_add_party, name="case_add_party"),
    path(
        "cases/<str:case_ref>/parties/<int:party_id>/correct/",
        views.party_correct,
        name="party_correct",
    ),
    path("cases/<str:case_ref>/handlers/", views.case_handlers, name="case_handlers"),
    path("persons/<int:person_id>/", views.person_detail, name="person_detail"),
]
