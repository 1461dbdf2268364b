from django.urls import path

from casetrail.approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.awaiting, name="awaiting"),
]
