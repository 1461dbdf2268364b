from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "casetrail.org"
    label = "org"
    verbose_name = "Organisation"

    def ready(self) -> None:
        from casetrail.ledger.access import register_housekeeping
        from casetrail.org.access import require_ledger_housekeeping

        register_housekeeping(require_ledger_housekeeping)
