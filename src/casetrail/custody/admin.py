from django.contrib import admin

from casetrail.custody.models import Alert, CustodySession, Deadline, Measure
from casetrail.org.admin import ReadOnlyAdmin


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "status", "case", "unit", "started_at", "ended_at"]
    list_filter = ["kind", "status"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["id", "rule_id", "duty", "status", "due_at", "provisional", "unit"]
    list_filter = ["status", "duty"]
    search_fields = ["rule_id"]


@admin.register(CustodySession)
class CustodySessionAdmin(ReadOnlyAdmin):
    list_display = ["id", "unit", "case", "entered_at", "exited_at", "destination"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ["id", "deadline", "kind", "due_at", "created_at"]
