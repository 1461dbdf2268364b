from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "casetrail.supervision"
    label = "supervision"
    verbose_name = "Supervision"

    def ready(self) -> None:
        from casetrail import background
        from casetrail.approvals import inbox
        from casetrail.ledger.access import register_state, register_subject
        from casetrail.supervision import sweep, waiting
        from casetrail.supervision.access import access_finding, access_score_review
        from casetrail.supervision.models import Finding, ScoreReview

        # Every five minutes: the checks are heavier than a deadline scan, and a finding is
        # a matter of days, not minutes.
        background.register("supervision-sweep", 300, sweep.sweep)
        register_subject(Finding.LEDGER_SUBJECT, access_finding)
        register_state(Finding.LEDGER_SUBJECT, Finding)
        register_subject(ScoreReview.LEDGER_SUBJECT, access_score_review)
        register_state(ScoreReview.LEDGER_SUBJECT, ScoreReview)
        inbox.register("supervision", waiting.SOURCE)
