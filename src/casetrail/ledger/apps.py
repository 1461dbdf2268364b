from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "casetrail.ledger"
    label = "ledger"
    verbose_name = "Ledger"
