from django.urls import path

from casetrail.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("checks/", views.checks, name="checks"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/<slug:chart_id>.csv", views.chart_csv, name="chart_csv"),
    path("findings/<int:finding_id>/", views.finding, name="finding"),
    path("findings/<int:finding_id>/<slug:action>/", views.act, name="act"),
]
