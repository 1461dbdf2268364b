from django.urls import path

from casetrail.documents import views

app_name = "documents"
urlpatterns = [
    path("cases/<str:case_ref>/", views.case_documents, name="case"),
    path("<int:document_id>/", views.detail, name="detail"),
    path("<int:document_id>/pdf/", views.pdf, name="pdf"),
    path("<int:document_id>/<slug:action>/", views.act, name="act"),
]
