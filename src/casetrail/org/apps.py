from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "casetrail.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from casetrail.ledger.access import register_housekeeping
        from casetrail.org.access import require_ledger_housekeeping

        register_housekeeping(require_ledger_housekeeping)
