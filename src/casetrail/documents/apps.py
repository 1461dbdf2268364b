from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "casetrail.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from django.urls import reverse
        from django.utils.translation import gettext

        from casetrail import background
        from casetrail.approvals import inbox
        from casetrail.cases import panels
        from casetrail.cases.export import register_case_files, register_case_subjects
        from casetrail.custody import panels as custody_panels
        from casetrail.documents import alerts, case_limits, casefile, followers, views
        from casetrail.documents.access import access_document
        from casetrail.documents.models import Document
        from casetrail.ledger.access import register_state, register_subject

        followers.register()
        # Every minute, as custody's sweep: a service warning or a missed service is on the
        # lists within a minute of its time.
        background.register("documents-service-sweep", 60, alerts.run_sweep)
        register_subject(Document.LEDGER_SUBJECT, access_document)
        register_state(Document.LEDGER_SUBJECT, Document)
        register_case_subjects(
            lambda case: [
                (Document.LEDGER_SUBJECT, str(pk))
                for pk in Document.objects.filter(case=case).values_list("pk", flat=True)
            ]
        )
        register_case_files(casefile.case_files)
        panels.register_case_limits(case_limits.limits)
        custody_panels.register_measure_panel(views.measure_panel)
        inbox.register_subject(
            Document.LEDGER_SUBJECT,
            link=lambda pk: reverse("documents:detail", args=[pk]),
            what=lambda: gettext("document"),
        )
