from django.urls import path

from casetrail.supervision import views

app_name = "supervision"
urlpatterns = [
    path("", views.index, name="index"),
    path("checks/", views.checks, name="checks"),
    path("dashboard/", views.dashboard_page, name="dashboard"),
    path("dashboard/<slug:chart_id>.csv", views.chart_csv, name="chart_csv"),
    path("scorecard/", views.scorecard_page, name="scorecard"),
    path("scorecard/<str:quarter>.xlsx", views.scorecard_xlsx, name="scorecard_xlsx"),
    path("scorecard/<str:quarter>.pdf", views.scorecard_pdf, name="scorecard_pdf"),
    path("scorecard/reviews/", views.ask_review, name="ask_review"),
    path("scorecard/reviews/<int:review_id>/answer/", views.answer_review, name="answer_review"),
    path("findings/<int:finding_id>/", views.finding, name="finding"),
    path("findings/<int:finding_id>/files/", views.attach, name="attach"),
    path("files/<int:file_id>/", views.download, name="download"),
    path("findings/<int:finding_id>/<slug:action>/", views.act, name="act"),
]
