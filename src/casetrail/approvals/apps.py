from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "casetrail.approvals"
    label = "approvals"
    verbose_name = "Approvals"
