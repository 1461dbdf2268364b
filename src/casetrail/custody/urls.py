from django.urls import path

from casetrail.custody import views

app_name = "custody"

urlpatterns = [
    path("", views.board_index, name="board_index"),
    path("start/", views.cases_for_custody, name="start"),
    path("board/<int:unit_id>/", views.board, name="board"),
    path("persons/<int:person_id>/", views.person_record, name="person"),
    path("cases/<int:case_id>/measures/new/", views.measure_new, name="measure_new"),
    path("measures/<int:measure_id>/", views.measure_detail, name="measure"),
    path("measures/<int:measure_id>/<slug:action>/", views.measure_act, name="measure_act"),
    path("extensions/<int:request_id>/decision/", views.extension_decide, name="extension_decide"),
    path("deadlines/<int:deadline_id>/account/", views.deadline_account, name="deadline_account"),
    path("cases/<int:case_id>/sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path(
        "sessions/<int:session_id>/belongings/<int:belonging_id>/settle/",
        views.belonging_settle,
        name="belonging_settle",
    ),
    path("sessions/<int:session_id>/<slug:action>/", views.session_act, name="session_act"),
    path("inbox/", views.inbox, name="inbox"),
]
