from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "casetrail.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from casetrail import background
        from casetrail.ledger import audit, heads, state_pass

        # Looks every few seconds whether N entries or T seconds call for a new head; the
        # check is one indexed read, and signing re-checks under the append lock, so several
        # workers running it sign once.
        background.register("ledger.sign_head", heads.CHECK_EVERY_SECONDS, heads.sign_head_if_due)
        # An incremental verify (from the last checkpoint) once a day by default.
        background.register("ledger.verify", audit.verify_interval_seconds(), audit.verify_if_due)
        # A full verify once a week: the daily run reads only the new rows and a sample of the
        # older ones, so a change behind an old leaf hash waits at most this long.
        background.register(
            "ledger.verify_full", audit.full_verify_interval_seconds(), audit.verify_full_if_due
        )
        # The tables held against the ledger (invariant 5), once a day by default: looked at
        # hourly, due as the ledger's last pass entry says.
        background.register(
            "ledger.state", min(3600.0, state_pass.interval_seconds()), state_pass.reconcile_if_due
        )
